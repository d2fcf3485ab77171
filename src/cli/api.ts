import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import type { Config } from '../config/index.js';
import { CATALOG, LanguageRegistry, type Language } from '../languages/index.js';
import type { Logger } from '../log/logger.js';
import { Metrics } from '../metrics/Metrics.js';
import { FinishedListener, PostgresStore, type LanguageReport } from '../store/index.js';
import { StatusHub, SubmissionService, Waiter } from '../submissions/index.js';
import { readiness } from './lifecycle.js';

export interface ApiProcess {
  readonly app: FastifyInstance;
  readonly url: string;
  stop(): Promise<void>;
}

/** A waiting request re-reads the store this often in case a notification was missed. */
const WAIT_POLL_MS = 1000;
/** How often a replica re-reads the languages the workers report (a few rows). */
const LANGUAGES_REFRESH_MS = 2_000;

/**
 * `verdict api`: a stateless API replica over PostgreSQL. It stores submissions and reads
 * results; it publishes nothing (change data capture carries each committed row to the broker)
 * and runs nothing (workers do). Any number of replicas can serve behind a load balancer.
 */
export async function startApi(config: Config, log: Logger, version: string): Promise<ApiProcess> {
  const store = await PostgresStore.open(config.databaseUrl, config.databasePoolSize);
  const languages = new LanguageRegistry([]);
  const refreshLanguages = async (): Promise<void> => {
    try {
      languages.replaceAll(toLanguages(await store.listLanguages()));
    } catch (err) {
      log.warn({ err }, 'cannot read the languages the workers reported; keeping the last list');
    }
  };
  await refreshLanguages();
  const languagesTimer = setInterval(() => void refreshLanguages(), LANGUAGES_REFRESH_MS);

  const metrics = new Metrics(() => store.countUnfinished());
  const waiter = new Waiter(WAIT_POLL_MS);
  // Event streams of this replica follow submissions that workers claim and finish.
  const statusHub = new StatusHub();
  const listener = new FinishedListener({
    url: config.databaseUrl,
    onFinished: (id) => {
      waiter.notify(id);
      statusHub.publish(id, 'finished');
    },
    onStatus: (id, status) => statusHub.publish(id, status),
    onState: (connected, err) => (connected ? log.info('listening for results') : log.warn({ err }, 'result notifications lost; waiting requests poll until they are back')),
  });
  listener.start();
  const submissions = new SubmissionService({ config, store, broker: null, languages, metrics, waiter, statusHub });
  let stopping = false;
  const app = await buildApi({
    config,
    log,
    metrics,
    languages,
    submissions,
    version,
    replicaName: config.replicaName,
    readiness: readiness(() => [stopping && 'shutting down'], store),
  });
  const url = await app.listen({ host: config.host, port: config.port });
  log.info({ url, replica: config.replicaName }, 'verdict api ready');
  return {
    app,
    url,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(languagesTimer);
      await app.close();
      await listener.stop();
      await store.close();
      log.info('stopped');
    },
  };
}

/**
 * The languages as the workers reported them. Before any worker has, every catalog language is
 * offered with an unknown version: a submission is accepted and waits for a worker, rather than
 * refused by a replica that merely started first.
 */
function toLanguages(reports: readonly LanguageReport[]): Language[] {
  const byId = new Map(reports.map((r) => [r.id, r]));
  return CATALOG.filter((spec) => reports.length === 0 || byId.has(spec.id)).map((spec) => {
    const r = byId.get(spec.id);
    return { spec, id: spec.id, name: r?.name ?? spec.name, version: r?.version ?? 'unknown', tools: {}, compiled: r?.compiled ?? spec.compile !== undefined };
  });
}
