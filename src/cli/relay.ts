import { Registry, collectDefaultMetrics } from 'prom-client';
import { buildAdminApi } from '../api/index.js';
import { CdcRelay, PromRelayMetrics, Sweeper } from '../cdc/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { PostgresStore } from '../store/index.js';
import { openKafkaBroker } from './kafka.js';
import { readiness, type Stoppable } from './lifecycle.js';

/**
 * `verdict relay`: change data capture from PostgreSQL into Kafka, and the sweeper that
 * republishes what a delivery may have missed. Run one; a second waits while the first holds
 * the replication slot, and takes over when it dies. Its HTTP port serves /healthz, /readyz and
 * /metrics (published, republished, replication lag).
 */
export async function startRelay(config: Config, log: Logger): Promise<Stoppable> {
  const store = await PostgresStore.open(config.databaseUrl, 2);
  const broker = await openKafkaBroker(config, log, `${config.kafkaGroup}-relay`);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'verdict_process_' });
  const metrics = new PromRelayMetrics(registry);
  const relay = new CdcRelay({ connectionUrl: config.databaseUrl, broker, slot: config.cdcSlot, logger: log, metrics });
  const sweeper = new Sweeper({ store, broker, sweepIntervalMs: config.cdcSweepIntervalMs, staleAfterMs: config.cdcStaleAfterMs, logger: log, metrics });
  let stopping = false;
  const admin = await buildAdminApi({
    log,
    registry,
    replicaName: config.replicaName,
    readiness: readiness(() => {
      const r = relay.status();
      const s = sweeper.status();
      return [
        stopping && 'shutting down',
        !r.ready && `replication ${r.state}${r.lastError ? `: ${r.lastError.message}` : ''}`,
        !s.ready && `sweeper${s.lastError ? `: ${s.lastError.message}` : ' not running'}`,
      ];
    }),
  });
  relay.start();
  sweeper.start();
  const url = await admin.listen({ host: config.host, port: config.port });
  log.info({ url, slot: config.cdcSlot, topic: config.kafkaTopic }, 'verdict relay started');
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      // The relay acknowledges what it published before it lets go of the slot.
      await sweeper.stop();
      await relay.stop();
      await admin.close();
      await broker.stop(0);
      await store.close();
      log.info('stopped');
    },
  };
}
