import type { Readiness } from '../api/index.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/index.js';

/** What every long-lived command starts: something that drains and stops on request. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Resolves at the first SIGTERM or SIGINT, then stops `service` (which drains) and resolves. */
export async function runUntilSignal(log: Logger, service: Stoppable): Promise<number> {
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await service.stop();
  return 0;
}

/**
 * A process's /readyz: the problems `conditions` names (a string per problem, false where all is
 * well), and the store's, if it has one, when a ping fails.
 */
export function readiness(conditions: () => ReadonlyArray<string | false>, store?: Pick<Store, 'ping'>): Readiness {
  return async () => {
    const problems = conditions().filter((p): p is string => p !== false);
    if (store) {
      try {
        await store.ping();
      } catch (err) {
        problems.push(`store: ${(err as Error).message}`);
      }
    }
    return problems;
  };
}
