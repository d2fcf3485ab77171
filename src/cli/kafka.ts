import { KafkaBroker } from '../broker/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';

/** How long a starting process waits for Kafka (it may be starting too) before giving up. */
const KAFKA_START_WAIT_MS = 120_000;

/**
 * The Kafka adapter with the process's settings, its topics created if missing. Kafka may come
 * up after us (a cluster starting, a pod rescheduled), so topic creation is retried for a while.
 */
export async function openKafkaBroker(config: Config, log: Logger, groupId: string): Promise<KafkaBroker> {
  const broker = new KafkaBroker({
    brokers: config.kafkaBrokers,
    topic: config.kafkaTopic,
    groupId,
    clientId: config.replicaName,
    partitions: config.kafkaPartitions,
    onHandlerError: (message, err) => log.error({ id: message.id, err }, 'handling failed; the id goes to the retry topic'),
    onError: (err) => log.warn({ err }, 'trouble talking to Kafka; retrying'),
  });
  const deadline = Date.now() + KAFKA_START_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await broker.ensureTopics();
      return broker;
    } catch (err) {
      if (Date.now() > deadline) {
        await broker.stop(0);
        throw err;
      }
      log.warn({ err, attempt, brokers: config.kafkaBrokers }, 'Kafka not reachable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * attempt)));
    }
  }
}
