import type { RelayMetrics } from '../../src/cdc/index.js';

/** Relay metrics that remember what the relay or sweeper reported, for tests to assert on. */
export function recordingMetrics(): RelayMetrics & { failures: string[]; republishedCount: number } {
  return {
    failures: [],
    republishedCount: 0,
    published() {},
    republished(n) {
      this.republishedCount += n;
    },
    acknowledged() {},
    connected() {},
    failed(code) {
      this.failures.push(code);
    },
  };
}
