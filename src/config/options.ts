/**
 * Every setting Verdict reads, in one declarative table: its key in the config object, the
 * environment variable and command-line flag that set it, its type, default and meaning.
 * `load.ts` resolves them (defaults, then a JSON file, then the environment, then flags) and
 * `docs/configuration.md` is generated from the same table, so the three never disagree.
 */
import os from 'node:os';

export type OptionType = 'int' | 'string' | 'bool' | 'enum';

export interface OptionSpec {
  readonly key: string;
  readonly env: string;
  readonly flag: string;
  readonly type: OptionType;
  readonly default: string | number | boolean;
  readonly min?: number;
  readonly values?: readonly string[];
  /** A string that may stay unset (its default is then ''): a secret with no sensible default. */
  readonly optional?: boolean;
  readonly doc: string;
}

function opt(spec: OptionSpec): OptionSpec {
  return spec;
}

/** A limit a request may lower, with the server's default and its maximum. */
function limitPair(
  stage: 'run' | 'compile',
  name: string,
  unit: string,
  def: number,
  max: number,
  what: string,
): OptionSpec[] {
  const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const prefix = stage === 'run' ? '' : 'compile_';
  const key = stage === 'run' ? camel : 'compile' + camel[0].toUpperCase() + camel.slice(1);
  const envName = `VERDICT_${prefix.toUpperCase()}${name.toUpperCase()}`;
  const flagName = `--${(prefix + name).replace(/_/g, '-')}`;
  return [
    opt({
      key: `${key}Default`,
      env: `${envName}_DEFAULT`,
      flag: `${flagName}-default`,
      type: 'int',
      default: def,
      min: 1,
      doc: `Default ${what} for a ${stage} step when the request gives none (${unit}).`,
    }),
    opt({
      key: `${key}Max`,
      env: `${envName}_MAX`,
      flag: `${flagName}-max`,
      type: 'int',
      default: max,
      min: 1,
      doc: `Largest ${what} a request may ask for a ${stage} step (${unit}).`,
    }),
  ];
}

export const OPTIONS: readonly OptionSpec[] = [
  opt({ key: 'host', env: 'HOST', flag: '--host', type: 'string', default: '127.0.0.1', doc: 'Address the HTTP API listens on. Use 0.0.0.0 to accept connections from other machines.' }),
  opt({ key: 'port', env: 'PORT', flag: '--port', type: 'int', default: 2358, min: 0, doc: 'TCP port of the HTTP API (0 picks a free port).' }),
  opt({ key: 'dataDir', env: 'VERDICT_DATA_DIR', flag: '--data-dir', type: 'string', default: './data', doc: 'Directory of the embedded SQLite database (created if missing).' }),
  opt({ key: 'sandboxDir', env: 'VERDICT_SANDBOX_DIR', flag: '--sandbox-dir', type: 'string', default: '/run/verdict', doc: 'Root-owned directory for per-run boxes, per-slot caches and the sandbox helper. Every path component must be searchable by unprivileged users.' }),
  opt({ key: 'slots', env: 'VERDICT_SLOTS', flag: '--slots', type: 'int', default: Math.max(1, os.availableParallelism()), min: 1, doc: 'How many submissions run at once (default: the number of cores).' }),
  opt({ key: 'sandboxUidBase', env: 'VERDICT_SANDBOX_UID_BASE', flag: '--sandbox-uid-base', type: 'int', default: 2000000, min: 1000, doc: 'Slot N runs as host uid/gid BASE+N. Pick a range no real user or other service owns.' }),
  opt({ key: 'sandboxMode', env: 'VERDICT_SANDBOX_MODE', flag: '--sandbox-mode', type: 'enum', values: ['warm', 'cold'], default: 'warm', doc: 'warm: each slot keeps a sandbox whose namespaces are built once and clones fresh pid, mount and ipc namespaces per run (fast). cold: a whole new bubblewrap per run (slower, nothing shared between runs of a slot).' }),
  opt({ key: 'cgroupVersion', env: 'VERDICT_CGROUP_VERSION', flag: '--cgroup-version', type: 'enum', values: ['auto', 'v1', 'v2'], default: 'auto', doc: 'Which cgroup hierarchy to use; auto detects it.' }),
  opt({ key: 'cgroupRoot', env: 'VERDICT_CGROUP_ROOT', flag: '--cgroup-root', type: 'string', default: 'verdict', doc: 'Name of the cgroup (under each v1 controller, or under the v2 mount) that holds per-run cgroups.' }),
  opt({ key: 'waitMaxMs', env: 'VERDICT_WAIT_MAX_MS', flag: '--wait-max-ms', type: 'int', default: 60000, min: 1, doc: 'Longest a request with ?wait=true is held open before it is answered with the submission as it stands.' }),
  opt({ key: 'maxRequestKb', env: 'VERDICT_MAX_REQUEST_KB', flag: '--max-request-kb', type: 'int', default: 16384, min: 1, doc: 'Largest HTTP request body accepted (KiB).' }),
  opt({ key: 'maxSourceKb', env: 'VERDICT_MAX_SOURCE_KB', flag: '--max-source-kb', type: 'int', default: 1024, min: 1, doc: 'Largest total size of source files in one submission (KiB).' }),
  opt({ key: 'maxStdinKb', env: 'VERDICT_MAX_STDIN_KB', flag: '--max-stdin-kb', type: 'int', default: 4096, min: 1, doc: 'Largest stdin of one submission (KiB).' }),
  opt({ key: 'maxExpectedOutputKb', env: 'VERDICT_MAX_EXPECTED_OUTPUT_KB', flag: '--max-expected-output-kb', type: 'int', default: 4096, min: 1, doc: 'Largest expected_output of one submission (KiB).' }),
  opt({ key: 'maxFiles', env: 'VERDICT_MAX_FILES', flag: '--max-files', type: 'int', default: 32, min: 1, doc: 'Most files one submission may carry.' }),
  opt({ key: 'maxTests', env: 'VERDICT_MAX_TESTS', flag: '--max-tests', type: 'int', default: 64, min: 1, doc: 'Most test cases one submission may carry (their stdin and expected output count toward the stdin and expected-output maxima together).' }),
  opt({ key: 'maxArgs', env: 'VERDICT_MAX_ARGS', flag: '--max-args', type: 'int', default: 64, min: 0, doc: 'Most command-line arguments (and compile options) one submission may carry.' }),
  opt({ key: 'boxSpaceKb', env: 'VERDICT_BOX_SPACE_KB', flag: '--box-space-kb', type: 'int', default: 2097152, min: 1024, doc: 'Size of each slot\'s box file system (a tmpfs of its own, KiB): caps what a program can write into /box. Writes also count toward the run\'s memory limit.' }),
  opt({ key: 'boxInodes', env: 'VERDICT_BOX_INODES', flag: '--box-inodes', type: 'int', default: 65536, min: 1024, doc: 'Files and directories each slot\'s box file system may hold.' }),
  opt({ key: 'artefactCacheMb', env: 'VERDICT_ARTEFACT_CACHE_MB', flag: '--artefact-cache-mb', type: 'int', default: 512, min: 0, doc: 'Space for compiled artefacts kept by content hash, so an identical submission is not compiled again (MiB, 0 turns it off). Only compilations without user compile options are kept.' }),
  opt({ key: 'tmpSizeKb', env: 'VERDICT_TMP_SIZE_KB', flag: '--tmp-size-kb', type: 'int', default: 65536, min: 1024, doc: 'Size of the private /tmp of every run (KiB); what is written there also counts toward the memory limit.' }),
  opt({ key: 'logLevel', env: 'VERDICT_LOG_LEVEL', flag: '--log-level', type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', doc: 'Log level of the structured (JSON) log on stdout.' }),
  opt({ key: 'shutdownGraceMs', env: 'VERDICT_SHUTDOWN_GRACE_MS', flag: '--shutdown-grace-ms', type: 'int', default: 30000, min: 0, doc: 'On SIGTERM, how long running submissions may finish before they are stopped and left queued for the next start.' }),
  // Completion callbacks: checked by whatever accepts a submission, sent by whatever stores its result.
  opt({ key: 'callbackAllowPrivate', env: 'VERDICT_CALLBACK_ALLOW_PRIVATE', flag: '--callback-allow-private', type: 'bool', default: false, doc: 'Let callback_url point to loopback, private, link-local and other non-public addresses. Off, such a URL is refused when the submission is accepted, and again at delivery after the name is resolved. Turn on only where every client is trusted (tests, a closed network); set it alike on API replicas and workers.' }),
  opt({ key: 'callbackAttempts', env: 'VERDICT_CALLBACK_ATTEMPTS', flag: '--callback-attempts', type: 'int', default: 5, min: 1, doc: 'Attempts to deliver one completion callback (the first included) before it is given up.' }),
  opt({ key: 'callbackBaseDelayMs', env: 'VERDICT_CALLBACK_BASE_DELAY_MS', flag: '--callback-base-delay-ms', type: 'int', default: 2000, min: 1, doc: 'Wait before the second callback attempt; each later wait doubles (at most 10 minutes), with random jitter of up to half of it.' }),
  opt({ key: 'callbackTimeoutMs', env: 'VERDICT_CALLBACK_TIMEOUT_MS', flag: '--callback-timeout-ms', type: 'int', default: 10000, min: 100, doc: 'How long one callback attempt may take, from connecting to the response status; longer counts as a failed attempt.' }),
  // The Judge0-compatible API (docs/compat-judge0.md); its native counterpart has no such gate.
  opt({ key: 'judge0AuthTokens', env: 'VERDICT_JUDGE0_AUTH_TOKEN', flag: '--judge0-auth-token', type: 'string', default: '', optional: true, doc: 'Tokens a Judge0 client must send in X-Auth-Token (space-separated, any one matches); unset, the Judge0 routes need none. Like Judge0\'s AUTHN_TOKEN; the native /v1 routes are not affected.' }),
  opt({ key: 'judge0AuthUsers', env: 'VERDICT_JUDGE0_AUTH_USER', flag: '--judge0-auth-user', type: 'string', default: '', optional: true, doc: 'Tokens a Judge0 client must send in X-Auth-User for the administrative routes (GET /submissions, DELETE /submissions/:token); unset, those answer 403, as in Judge0 without AUTHZ_TOKEN.' }),
  // Every process that claims submissions or answers requests, standalone included.
  opt({ key: 'replicaName', env: 'VERDICT_REPLICA_NAME', flag: '--replica-name', type: 'string', default: 'auto', doc: 'Name of this process, sent in the X-Verdict-Replica header of every API response and used in worker claims; auto: host name and pid.' }),
  opt({ key: 'leaseMs', env: 'VERDICT_LEASE_MS', flag: '--lease-ms', type: 'int', default: 30000, min: 1000, doc: 'How long a worker\'s claim on a submission lasts unless renewed (it renews every third of it while the run goes on); a submission whose worker died is taken over after this.' }),
  // Distributed mode (verdict api / worker / relay); standalone ignores these.
  opt({ key: 'databaseUrl', env: 'DATABASE_URL', flag: '--database-url', type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres', doc: 'PostgreSQL connection URL of the distributed store (verdict api, worker and relay).' }),
  opt({ key: 'databasePoolSize', env: 'VERDICT_DATABASE_POOL_SIZE', flag: '--database-pool-size', type: 'int', default: 10, min: 1, doc: 'Connections each process keeps to PostgreSQL at most.' }),
  opt({ key: 'kafkaBrokers', env: 'KAFKA_BROKERS', flag: '--kafka-brokers', type: 'string', default: '127.0.0.1:9092', doc: 'Comma-separated host:port list of Kafka bootstrap brokers (verdict worker and relay).' }),
  opt({ key: 'kafkaTopic', env: 'VERDICT_KAFKA_TOPIC', flag: '--kafka-topic', type: 'string', default: 'verdict.submissions', doc: 'Topic of new submission ids; its retry and dead-letter topics are named after it (.retry, .dlq).' }),
  opt({ key: 'kafkaGroup', env: 'VERDICT_KAFKA_GROUP', flag: '--kafka-group', type: 'string', default: 'verdict-workers', doc: 'Consumer group of the workers: every submission goes to one worker of the group.' }),
  opt({ key: 'kafkaPartitions', env: 'VERDICT_KAFKA_PARTITIONS', flag: '--kafka-partitions', type: 'int', default: 8, min: 1, doc: 'Partitions of the topics when they are created: the most worker processes that can consume at once.' }),
  opt({ key: 'cdcSlot', env: 'VERDICT_CDC_SLOT', flag: '--cdc-slot', type: 'string', default: 'verdict_relay', doc: 'Logical replication slot the relay streams new submissions from (created if missing).' }),
  opt({ key: 'cdcSweepIntervalMs', env: 'VERDICT_CDC_SWEEP_INTERVAL_MS', flag: '--cdc-sweep-interval-ms', type: 'int', default: 5000, min: 100, doc: 'How often the relay looks for submissions a delivery may have missed.' }),
  opt({ key: 'cdcStaleAfterMs', env: 'VERDICT_CDC_STALE_AFTER_MS', flag: '--cdc-stale-after-ms', type: 'int', default: 15000, min: 100, doc: 'A submission still queued this long after it was accepted (or running under an expired lease) is published again.' }),
  ...limitPair('run', 'cpu_time_ms', 'ms', 5000, 15000, 'CPU time'),
  ...limitPair('run', 'wall_time_ms', 'ms', 10000, 20000, 'wall-clock time'),
  ...limitPair('run', 'memory_kb', 'KiB', 262144, 1048576, 'memory'),
  ...limitPair('run', 'processes', 'count', 64, 256, 'number of processes and threads'),
  ...limitPair('run', 'output_kb', 'KiB', 1024, 16384, 'stdout plus stderr size'),
  ...limitPair('run', 'file_size_kb', 'KiB', 1024, 65536, 'size of any one file written'),
  ...limitPair('run', 'stack_kb', 'KiB', 65536, 262144, 'stack size'),
  ...limitPair('compile', 'cpu_time_ms', 'ms', 15000, 30000, 'CPU time'),
  ...limitPair('compile', 'wall_time_ms', 'ms', 30000, 60000, 'wall-clock time'),
  ...limitPair('compile', 'memory_kb', 'KiB', 1048576, 2097152, 'memory'),
];
