/** The resolved, validated, frozen configuration every process is started with. */
export interface LimitRange {
  readonly default: number;
  readonly max: number;
}

export interface RunLimitsConfig {
  readonly cpuTimeMs: LimitRange;
  readonly wallTimeMs: LimitRange;
  readonly memoryKb: LimitRange;
  readonly processes: LimitRange;
  readonly outputKb: LimitRange;
  readonly fileSizeKb: LimitRange;
  readonly stackKb: LimitRange;
}

export interface CompileLimitsConfig {
  readonly cpuTimeMs: LimitRange;
  readonly wallTimeMs: LimitRange;
  readonly memoryKb: LimitRange;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly sandboxDir: string;
  readonly slots: number;
  readonly sandboxUidBase: number;
  readonly sandboxMode: 'warm' | 'cold';
  readonly cgroupVersion: 'auto' | 'v1' | 'v2';
  readonly cgroupRoot: string;
  readonly waitMaxMs: number;
  readonly maxRequestKb: number;
  readonly maxSourceKb: number;
  readonly maxStdinKb: number;
  readonly maxExpectedOutputKb: number;
  readonly maxFiles: number;
  readonly maxArgs: number;
  readonly maxTests: number;
  readonly boxSpaceKb: number;
  readonly boxInodes: number;
  readonly artefactCacheMb: number;
  readonly tmpSizeKb: number;
  readonly logLevel: string;
  readonly shutdownGraceMs: number;
  readonly callbackAllowPrivate: boolean;
  readonly callbackAttempts: number;
  readonly callbackBaseDelayMs: number;
  readonly callbackTimeoutMs: number;
  /** X-Auth-Token values the Judge0 routes accept; empty: no authentication. */
  readonly judge0AuthTokens: readonly string[];
  /** X-Auth-User values for the Judge0 administrative routes; empty: those are refused. */
  readonly judge0AuthUsers: readonly string[];
  readonly databaseUrl: string;
  readonly databasePoolSize: number;
  /** Bootstrap brokers, split from the comma-separated setting. */
  readonly kafkaBrokers: readonly string[];
  readonly kafkaTopic: string;
  readonly kafkaGroup: string;
  readonly kafkaPartitions: number;
  readonly replicaName: string;
  readonly leaseMs: number;
  readonly cdcSlot: string;
  readonly cdcSweepIntervalMs: number;
  readonly cdcStaleAfterMs: number;
  readonly runLimits: RunLimitsConfig;
  readonly compileLimits: CompileLimitsConfig;
}
