import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Every metric a Verdict process exports at /metrics, in one registry per process. */
export class Metrics {
  readonly registry = new Registry();
  readonly submissionsAccepted: Counter;
  readonly submissionsFinished: Counter<'verdict' | 'language'>;
  readonly runDuration: Histogram<'language'>;
  readonly waitDuration: Histogram;
  readonly queueDepth: Gauge;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly compilations: Counter<'cached'>;

  constructor(queueDepth: () => Promise<number> | number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'verdict_process_' });
    this.submissionsAccepted = new Counter({
      name: 'verdict_submissions_accepted_total',
      help: 'Submissions accepted (committed to the store).',
      registers: [this.registry],
    });
    this.submissionsFinished = new Counter({
      name: 'verdict_submissions_total',
      help: 'Submissions finished, by verdict and language.',
      labelNames: ['verdict', 'language'],
      registers: [this.registry],
    });
    this.runDuration = new Histogram({
      name: 'verdict_run_duration_seconds',
      help: 'Time from claim to result stored (compile and run), by language.',
      labelNames: ['language'],
      buckets: DURATION_BUCKETS_S,
      registers: [this.registry],
    });
    this.waitDuration = new Histogram({
      name: 'verdict_wait_duration_seconds',
      help: 'Time a submission waited in the queue before a worker claimed it.',
      buckets: DURATION_BUCKETS_S,
      registers: [this.registry],
    });
    this.queueDepth = new Gauge({
      name: 'verdict_queue_depth',
      help: 'Submissions accepted and not yet finished.',
      registers: [this.registry],
      async collect() {
        this.set(await queueDepth());
      },
    });
    this.compilations = new Counter({
      name: 'verdict_compilations_total',
      help: 'Compile steps, by whether the artefacts came from the cache.',
      labelNames: ['cached'],
      registers: [this.registry],
    });
    this.httpRequests = new Counter({
      name: 'verdict_http_requests_total',
      help: 'HTTP requests answered, by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
  }
}
