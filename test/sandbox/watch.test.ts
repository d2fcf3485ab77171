import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signalName } from '../../src/sandbox/watch.js';

test('a signal number reads as its usual name, not an alias', () => {
  assert.equal(signalName(6), 'SIGABRT', 'abort() is SIGABRT (SIGIOT is an alias)');
  assert.equal(signalName(9), 'SIGKILL');
  assert.equal(signalName(11), 'SIGSEGV');
  assert.equal(signalName(25), 'SIGXFSZ');
  assert.equal(signalName(200), 'SIG200', 'an unknown number still reads as something');
});
