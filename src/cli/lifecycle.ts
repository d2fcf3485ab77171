import type { Logger } from '../log/logger.js';

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
