import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Config, LimitRange } from './Config.js';
import { ConfigInvalid } from './errors.js';
import { OPTIONS, type OptionSpec } from './options.js';

export interface ConfigSources {
  /** Usually process.env; read here and nowhere else. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, keyed by flag name without dashes (e.g. "data-dir"). */
  readonly flags?: Readonly<Record<string, string | boolean | undefined>>;
  /** A JSON file of { key: value } using the config keys (e.g. "slots"). */
  readonly file?: string;
}

type Raw = string | number | boolean;

function sourceName(spec: OptionSpec): string {
  return `${spec.env} (or ${spec.flag}, or "${spec.key}" in the config file)`;
}

function schemaFor(spec: OptionSpec): z.ZodType<Raw> {
  switch (spec.type) {
    case 'int':
      // Decimal digits only: "0x50" or "1e3" in an environment file is a mistake, not a number.
      return z
        .union([z.number(), z.string().regex(/^\s*-?\d+\s*$/).transform(Number)])
        .pipe(z.number().int().min(spec.min ?? Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER));
    case 'bool':
      return z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
    case 'enum':
      return z.enum(spec.values as [string, ...string[]]);
    case 'string':
      return z.string().min(1);
  }
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigInvalid(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigInvalid(`config file ${file} must be a JSON object of settings: ${(err as Error).message}`);
  }
}

/** Resolves every option: defaults, then the file, then the environment, then flags. */
export function loadConfig(sources: ConfigSources): Config {
  const fromFile = sources.file ? readFile(sources.file) : {};
  const known = new Set(OPTIONS.map((o) => o.key));
  for (const key of Object.keys(fromFile)) {
    if (!known.has(key)) throw new ConfigInvalid(`config file ${sources.file} has an unknown setting "${key}"`);
  }
  const values: Record<string, Raw> = {};
  for (const spec of OPTIONS) {
    // An empty value (`PORT=` in an env file) means "not set", never 0 or "".
    const given = (v: unknown): v is Raw => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
    const candidates = [sources.flags?.[spec.flag.replace(/^--/, '')], sources.env[spec.env], fromFile[spec.key]];
    const raw = candidates.find(given) ?? spec.default;
    if (spec.optional && raw === '') {
      values[spec.key] = '';
      continue;
    }
    const parsed = schemaFor(spec).safeParse(raw);
    if (!parsed.success) {
      const rule = spec.type === 'int' ? `an integer >= ${spec.min}` : spec.type === 'enum' ? `one of ${spec.values?.join(', ')}` : spec.type === 'bool' ? 'true or false (or 1 or 0)' : `a non-empty ${spec.type}`;
      throw new ConfigInvalid(`${sourceName(spec)} must be ${rule}; got ${JSON.stringify(raw)}`);
    }
    values[spec.key] = parsed.data;
  }
  return freeze(values);
}

function brokerList(text: string): string[] {
  const brokers = text.split(',').map((b) => b.trim()).filter(Boolean);
  const bad = brokers.find((b) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad !== undefined) {
    throw new ConfigInvalid(`KAFKA_BROKERS (or --kafka-brokers) must be a comma-separated list of host:port; got ${JSON.stringify(bad ?? text)}`);
  }
  return brokers;
}

function range(values: Record<string, Raw>, key: string): LimitRange {
  const def = values[`${key}Default`] as number;
  const max = values[`${key}Max`] as number;
  if (def > max) {
    throw new ConfigInvalid(`the default ${key} (${def}) is above its maximum (${max}); lower the default or raise the maximum`);
  }
  return Object.freeze({ default: def, max });
}

function freeze(v: Record<string, Raw>): Config {
  return Object.freeze({
    host: v.host as string,
    port: v.port as number,
    dataDir: path.resolve(v.dataDir as string),
    sandboxDir: path.resolve(v.sandboxDir as string),
    slots: v.slots as number,
    sandboxUidBase: v.sandboxUidBase as number,
    sandboxMode: v.sandboxMode as Config['sandboxMode'],
    cgroupVersion: v.cgroupVersion as Config['cgroupVersion'],
    cgroupRoot: v.cgroupRoot as string,
    waitMaxMs: v.waitMaxMs as number,
    maxRequestKb: v.maxRequestKb as number,
    maxSourceKb: v.maxSourceKb as number,
    maxStdinKb: v.maxStdinKb as number,
    maxExpectedOutputKb: v.maxExpectedOutputKb as number,
    maxFiles: v.maxFiles as number,
    maxArgs: v.maxArgs as number,
    maxTests: v.maxTests as number,
    boxSpaceKb: v.boxSpaceKb as number,
    boxInodes: v.boxInodes as number,
    artefactCacheMb: v.artefactCacheMb as number,
    tmpSizeKb: v.tmpSizeKb as number,
    logLevel: v.logLevel as string,
    shutdownGraceMs: v.shutdownGraceMs as number,
    callbackAllowPrivate: v.callbackAllowPrivate as boolean,
    callbackAttempts: v.callbackAttempts as number,
    callbackBaseDelayMs: v.callbackBaseDelayMs as number,
    callbackTimeoutMs: v.callbackTimeoutMs as number,
    judge0AuthTokens: Object.freeze((v.judge0AuthTokens as string).split(/\s+/).filter(Boolean)),
    judge0AuthUsers: Object.freeze((v.judge0AuthUsers as string).split(/\s+/).filter(Boolean)),
    databaseUrl: v.databaseUrl as string,
    databasePoolSize: v.databasePoolSize as number,
    kafkaBrokers: Object.freeze(brokerList(v.kafkaBrokers as string)),
    kafkaTopic: v.kafkaTopic as string,
    kafkaGroup: v.kafkaGroup as string,
    kafkaPartitions: v.kafkaPartitions as number,
    replicaName: v.replicaName === 'auto' ? `${os.hostname()}-${process.pid}` : (v.replicaName as string),
    leaseMs: v.leaseMs as number,
    cdcSlot: v.cdcSlot as string,
    cdcSweepIntervalMs: v.cdcSweepIntervalMs as number,
    cdcStaleAfterMs: v.cdcStaleAfterMs as number,
    runLimits: Object.freeze({
      cpuTimeMs: range(v, 'cpuTimeMs'),
      wallTimeMs: range(v, 'wallTimeMs'),
      memoryKb: range(v, 'memoryKb'),
      processes: range(v, 'processes'),
      outputKb: range(v, 'outputKb'),
      fileSizeKb: range(v, 'fileSizeKb'),
      stackKb: range(v, 'stackKb'),
    }),
    compileLimits: Object.freeze({
      cpuTimeMs: range(v, 'compileCpuTimeMs'),
      wallTimeMs: range(v, 'compileWallTimeMs'),
      memoryKb: range(v, 'compileMemoryKb'),
    }),
  });
}
