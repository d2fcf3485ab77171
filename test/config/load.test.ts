import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ConfigInvalid } from '../../src/config/errors.js';

/** How a user configures the service: defaults, a JSON file, the environment and flags. */
let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-config-test-'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

let fileCounter = 0;
function configFile(content: unknown): string {
  const file = path.join(tmp, `config-${fileCounter++}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function assertConfigInvalid(fn: () => unknown, ...mentions: Array<string | RegExp>): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigInvalid, `expected ConfigInvalid, got ${String(err)}`);
    assert.equal(err.code, 'config_invalid');
    for (const m of mentions) {
      if (typeof m === 'string') assert.ok(err.message.includes(m), `message ${JSON.stringify(err.message)} should mention ${m}`);
      else assert.match(err.message, m);
    }
    return true;
  });
}

describe('loadConfig defaults', () => {
  test('listens on 127.0.0.1:2358 when nothing is set', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.port, 2358);
    assert.equal(config.host, '127.0.0.1');
  });

  test('documented defaults for limits and other settings', () => {
    const config = loadConfig({ env: {} });
    assert.deepEqual(config.runLimits.cpuTimeMs, { default: 5000, max: 15000 });
    assert.deepEqual(config.runLimits.memoryKb, { default: 262144, max: 1048576 });
    assert.deepEqual(config.compileLimits.wallTimeMs, { default: 30000, max: 60000 });
    assert.equal(config.cgroupVersion, 'auto');
    assert.equal(config.logLevel, 'info');
    assert.ok(Number.isInteger(config.slots) && config.slots >= 1);
    // Directories are resolved to absolute paths.
    assert.equal(config.dataDir, path.resolve('./data'));
  });
});

describe('loadConfig precedence', () => {
  test('an environment variable overrides the default', () => {
    const config = loadConfig({ env: { PORT: '8080', HOST: '0.0.0.0' } });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
  });

  test('a flag overrides the environment', () => {
    const config = loadConfig({ env: { PORT: '8080' }, flags: { port: '4000' } });
    assert.equal(config.port, 4000);
  });

  test('a flag with dashes in its name (data-dir) is read', () => {
    const dir = path.join(tmp, 'from-flag');
    const config = loadConfig({ env: { VERDICT_DATA_DIR: path.join(tmp, 'from-env') }, flags: { 'data-dir': dir } });
    assert.equal(config.dataDir, dir);
  });

  test('a config file value is used when neither env nor flag sets it', () => {
    const file = configFile({ port: 5555, slots: 3, logLevel: 'debug' });
    const config = loadConfig({ env: {}, file });
    assert.equal(config.port, 5555);
    assert.equal(config.slots, 3);
    assert.equal(config.logLevel, 'debug');
  });

  test('the environment and flags override the config file', () => {
    const file = configFile({ port: 5555, slots: 3 });
    const config = loadConfig({ env: { PORT: '6000' }, flags: { slots: '7' }, file });
    assert.equal(config.port, 6000);
    assert.equal(config.slots, 7);
  });

  test('limit pairs are set from the environment', () => {
    const config = loadConfig({ env: { VERDICT_CPU_TIME_MS_DEFAULT: '2000', VERDICT_CPU_TIME_MS_MAX: '3000' } });
    assert.deepEqual(config.runLimits.cpuTimeMs, { default: 2000, max: 3000 });
  });

  test('an enum value from the environment is validated', () => {
    assert.equal(loadConfig({ env: { VERDICT_CGROUP_VERSION: 'v2' } }).cgroupVersion, 'v2');
    assertConfigInvalid(() => loadConfig({ env: { VERDICT_CGROUP_VERSION: 'v3' } }), 'VERDICT_CGROUP_VERSION', 'v1');
  });
});

describe('loadConfig rejects bad settings', () => {
  test('an unknown key in the config file', () => {
    const file = configFile({ port: 5555, slotz: 3 });
    assertConfigInvalid(() => loadConfig({ env: {}, file }), '"slotz"', file);
  });

  test('a config file that is not a JSON object', () => {
    assertConfigInvalid(() => loadConfig({ env: {}, file: configFile('[1, 2]') }), 'JSON object');
    assertConfigInvalid(() => loadConfig({ env: {}, file: configFile('{ not json') }), 'JSON object');
  });

  test('a config file that does not exist', () => {
    const missing = path.join(tmp, 'missing.json');
    assertConfigInvalid(() => loadConfig({ env: {}, file: missing }), missing);
  });

  test('VERDICT_SLOTS=0 is below the minimum and the message names the variable', () => {
    assertConfigInvalid(() => loadConfig({ env: { VERDICT_SLOTS: '0' } }), 'VERDICT_SLOTS', '--slots', '>= 1');
  });

  test('VERDICT_SLOTS=abc is not an integer and the message names the variable', () => {
    assertConfigInvalid(() => loadConfig({ env: { VERDICT_SLOTS: 'abc' } }), 'VERDICT_SLOTS', '"abc"');
  });

  test('a fractional value is not an integer', () => {
    assertConfigInvalid(() => loadConfig({ env: { PORT: '80.5' } }), 'PORT');
  });

  test('a bad value in the config file names the setting', () => {
    const file = configFile({ slots: 0 });
    assertConfigInvalid(() => loadConfig({ env: {}, file }), '"slots" in the config file');
  });

  test('a default above its maximum', () => {
    assertConfigInvalid(() => loadConfig({ env: { VERDICT_CPU_TIME_MS_DEFAULT: '20000' } }), 'cpuTimeMs', '20000', '15000');
  });

  test('a default equal to its maximum is accepted', () => {
    const config = loadConfig({ env: { VERDICT_CPU_TIME_MS_DEFAULT: '15000' } });
    assert.deepEqual(config.runLimits.cpuTimeMs, { default: 15000, max: 15000 });
  });
});

describe('loadConfig result', () => {
  test('is frozen, including nested limits', () => {
    const config = loadConfig({ env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.runLimits));
    assert.ok(Object.isFrozen(config.runLimits.cpuTimeMs));
    assert.ok(Object.isFrozen(config.compileLimits));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.runLimits.cpuTimeMs as { max: number }).max = 1;
    }, TypeError);
    assert.equal(config.port, 2358);
  });
});

test('an empty value means unset, and only decimal integers are accepted', () => {
  const load = loadConfig;
  const Invalid = ConfigInvalid;
  assert.equal(load({ env: { PORT: '' } }).port, 2358);
  assert.equal(load({ env: { PORT: '  ' }, flags: { port: '' } }).port, 2358);
  assert.throws(() => load({ env: { PORT: '0x50' } }), Invalid);
  assert.throws(() => load({ env: { PORT: '1e3' } }), Invalid);
  assert.equal(load({ env: { PORT: ' 8080 ' } }).port, 8080);
});

test('the Judge0 auth tokens may stay unset; set, they are split on whitespace', () => {
  const unset = loadConfig({ env: { VERDICT_JUDGE0_AUTH_TOKEN: '' } });
  assert.deepEqual([unset.judge0AuthTokens, unset.judge0AuthUsers], [[], []]);
  const set = loadConfig({ env: { VERDICT_JUDGE0_AUTH_TOKEN: ' a  b ' }, flags: { 'judge0-auth-user': 'admin' } });
  assert.deepEqual([set.judge0AuthTokens, set.judge0AuthUsers], [['a', 'b'], ['admin']]);
  assert.ok(Object.isFrozen(set.judge0AuthTokens));
});
