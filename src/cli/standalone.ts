import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import { MemoryBroker } from '../broker/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { Metrics } from '../metrics/Metrics.js';
import { SqliteStore } from '../store/index.js';
import { StatusHub, SubmissionService, Waiter } from '../submissions/index.js';
import { WorkerPool } from '../worker/index.js';
import { createCallbackDispatcher } from './callbacks.js';
import { createJudgeRuntime } from './runtime.js';
import { readiness } from './lifecycle.js';

export interface Standalone {
  readonly app: FastifyInstance;
  /** The address the API listens on, e.g. http://127.0.0.1:2358. */
  readonly url: string;
  stop(): Promise<void>;
}

/** How often a waiting request re-reads the store if no in-process notification came. */
const WAIT_POLL_MS = 500;

/**
 * Standalone mode: API, in-process queue, workers and the sandbox in one process over SQLite.
 * Startup order matters: the store first (it takes the data dir's lock), then every submission
 * a previous process left running is queued again and republished, so nothing is lost.
 */
export async function startStandalone(config: Config, log: Logger, version: string): Promise<Standalone> {
  const store = SqliteStore.open(config.dataDir);
  const requeued = await store.requeueAllRunning();
  const metrics = new Metrics(() => store.countUnfinished());
  const runtime = await createJudgeRuntime(config, log, undefined, {
    onCompile: (cached) => metrics.compilations.inc({ cached: String(cached) }),
  });
  const broker = new MemoryBroker({
    retryDelayMs: 1000,
    onHandlerError: (m, err) => log.error({ id: m.id, err }, 'handling failed; will retry'),
  });
  const waiter = new Waiter(WAIT_POLL_MS);
  const statusHub = new StatusHub();
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
    onClaimed: (id) => statusHub.publish(id, 'running'),
    onFinished: (id, finished) => {
      waiter.notify(id, finished);
      statusHub.publish(id, 'finished');
      callbacks.submissionFinished(finished);
    },
  });
  const submissions = new SubmissionService({ config, store, broker, languages: runtime.languages, metrics, waiter, statusHub });
  let stopping = false;
  const app = await buildApi({
    config,
    log,
    metrics,
    languages: runtime.languages,
    submissions,
    version,
    interactive: runtime.judge,
    readiness: readiness(
      () => [stopping && 'shutting down', !workers.isRunning && 'workers not running', runtime.languages.list().length === 0 && 'no language toolchain is available'],
      store,
    ),
  });

  workers.start();
  const unfinished = await store.listUnfinished(Number.MAX_SAFE_INTEGER);
  await broker.publish(unfinished.map((id) => ({ id })));
  if (unfinished.length > 0) log.info({ republished: unfinished.length, requeued }, 'resumed unfinished submissions');

  const address = await app.listen({ host: config.host, port: config.port });
  log.info({ url: address, languages: runtime.languages.list().map((l) => l.id) }, 'verdict standalone ready');

  return {
    app,
    url: address,
    async stop() {
      if (stopping) return;
      stopping = true;
      // Stop taking requests first, then let runs in flight finish within the grace period.
      await app.close();
      await workers.stop(config.shutdownGraceMs);
      // After the workers: the runs they drained still send their callbacks.
      await callbacks.stop();
      await runtime.close();
      await store.close();
      log.info('stopped');
    },
  };
}
