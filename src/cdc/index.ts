export { CdcRelay, type CdcRelayOptions, type CdcRelayState, type CdcRelayStatus, type RelayBackoff } from './CdcRelay.js';
export { Sweeper, type SweeperOptions, type SweeperStatus } from './Sweeper.js';
export { PromRelayMetrics, noopRelayMetrics, type RelayMetrics } from './metrics.js';
export { silentLogger, type RelayLogger } from './logger.js';
export {
  InvalidRelayOptions,
  MalformedChange,
  PublishFailed,
  ReplicationFailed,
  SlotInUse,
  SlotMisconfigured,
  SweepFailed,
} from './errors.js';
