import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './postgres.js';
import { ROOT } from './server.js';

const run = promisify(execFile);
const SCRIPT = path.join(ROOT, 'scripts/kafka.sh');

export interface TestKafka {
  /** `host:port`, as a KafkaBroker's `brokers` entry. */
  readonly brokers: string;
  /** Stops the broker and keeps its data, as for a restart. */
  halt(): Promise<void>;
  /** Starts a halted broker again on the same ports with the same data. */
  resume(): Promise<void>;
  /** Stops the broker and removes its directory. */
  stop(): Promise<void>;
}


/** The script's own message says what went wrong (a port in use, a JVM that died); keep it. */
async function kafkaSh(...args: string[]): Promise<string> {
  try {
    return (await run('bash', [SCRIPT, ...args], { encoding: 'utf8' })).stdout.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`scripts/kafka.sh ${args[0]} failed: ${stderr.trim() || String(err)}`);
  }
}

/**
 * A single-node Kafka broker started by the project's own script, in a temp dir named after this
 * process. Asynchronous throughout: a test restarting the broker needs its event loop running
 * meanwhile, or the clients under test would be frozen rather than disconnected. If the test
 * process dies without stop(), an exit hook still stops the JVM and removes the dir.
 */
export async function startKafka(): Promise<TestKafka> {
  await kafkaSh('install');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verdict-test-kafka-${process.pid}-`));
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const cleanUpOnExit = () => {
    spawnSync('bash', [SCRIPT, 'stop', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUpOnExit);
  const start = () => kafkaSh('start', dir, String(port), String(controllerPort));
  let brokers: string;
  try {
    brokers = await start();
  } catch (err) {
    process.removeListener('exit', cleanUpOnExit);
    cleanUpOnExit();
    throw err;
  }
  return {
    brokers,
    async halt() {
      await kafkaSh('stop', dir);
    },
    async resume() {
      await start();
    },
    async stop() {
      process.removeListener('exit', cleanUpOnExit);
      try {
        await kafkaSh('stop', dir);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
