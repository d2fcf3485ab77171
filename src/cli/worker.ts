import { randomUUID } from 'node:crypto';
import { buildAdminApi } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { Metrics } from '../metrics/Metrics.js';
import { PostgresStore } from '../store/index.js';
import { WorkerPool } from '../worker/index.js';
import { openKafkaBroker } from './kafka.js';
import { readiness, type Stoppable } from './lifecycle.js';
import { createCallbackDispatcher } from './callbacks.js';
import { createJudgeRuntime } from './runtime.js';

/**
 * `verdict worker`: takes submission ids from Kafka when it has a free slot, claims each in
 * PostgreSQL (a duplicate delivery is skipped; a dead worker's claim is taken over after its
 * lease), runs it in the sandbox, stores the result, then lets the offset be committed. Its
 * HTTP port serves /healthz, /readyz and /metrics only.
 */
export async function startWorker(config: Config, log: Logger): Promise<Stoppable> {
  const store = await PostgresStore.open(config.databaseUrl, config.databasePoolSize);
  const metrics = new Metrics(() => broker.depth());
  const runtime = await createJudgeRuntime(config, log, undefined, {
    onCompile: (cached) => metrics.compilations.inc({ cached: String(cached) }),
  });
  // API replicas run no toolchain: they learn from the workers what can run, and which version.
  await store.recordLanguages(runtime.languages.list(), config.replicaName, Date.now());
  const broker = await openKafkaBroker(config, log, config.kafkaGroup);
  // The worker that stored a result sends its callback: no other process knows the moment.
  const callbacks = createCallbackDispatcher(config, log, metrics.registry);
  const workers = new WorkerPool({
    store,
    broker,
    judge: runtime.judge,
    metrics,
    log,
    workerId: `${config.replicaName}:${randomUUID().slice(0, 8)}`,
    concurrency: config.slots,
    leaseMs: config.leaseMs,
    onFinished: (_id, finished) => callbacks.submissionFinished(finished),
  });
  let stopping = false;
  const admin = await buildAdminApi({
    log,
    registry: metrics.registry,
    replicaName: config.replicaName,
    readiness: readiness(() => [stopping && 'shutting down', !workers.isRunning && 'not consuming'], store),
  });
  workers.start();
  const url = await admin.listen({ host: config.host, port: config.port });
  log.info({ url, slots: config.slots, languages: runtime.languages.list().map((l) => l.id) }, 'verdict worker ready');
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      // Runs in flight finish within the grace period; their offsets are committed after their
      // results are stored. Anything unfinished is delivered again (or swept) elsewhere.
      await workers.stop(config.shutdownGraceMs);
      await callbacks.stop();
      await admin.close();
      await runtime.close();
      await store.close();
      log.info('stopped');
    },
  };
}
