import { Counter, type Registry } from 'prom-client';

/** How a callback ended: acknowledged with a 2xx, given up after its attempts, or not allowed. */
export type CallbackResult = 'delivered' | 'failed' | 'refused';

export interface CallbackMetrics {
  ended(result: CallbackResult): void;
}

/** `verdict_callbacks_total{result}` in the process registry (the one /metrics serves). */
export class PromCallbackMetrics implements CallbackMetrics {
  private readonly total: Counter<'result'>;

  constructor(registry: Registry) {
    this.total = new Counter({
      name: 'verdict_callbacks_total',
      help: 'Completion callbacks by how they ended: delivered (a 2xx), failed (every attempt failed), refused (the destination is not a public address).',
      labelNames: ['result'],
      registers: [registry],
    });
    // Present from the start, so a rate or an alert on "failed" needs no first failure.
    for (const result of ['delivered', 'failed', 'refused'] as const) this.total.inc({ result }, 0);
  }

  ended(result: CallbackResult): void {
    this.total.inc({ result });
  }
}
