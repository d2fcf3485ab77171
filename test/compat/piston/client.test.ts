import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import piston, { type PistonClient } from 'piston-client';
import { processesOfUids, runCgroupsLeft } from '../../helpers/leaks.js';
import { removeServerDirs, startServer, type TestServer } from '../../helpers/server.js';

/**
 * The npm piston-client, unchanged, against the real server: its runtimes() and execute() as its
 * users call them, with its own defaults (args "1 2 3", a 3 s run timeout, memory limits of -1,
 * and a JSON body sent as text/plain).
 */
let server: TestServer;
let client: PistonClient;

before(async () => {
  server = await startServer({ slots: 2 });
  client = piston({ server: server.url });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'server exits cleanly on SIGTERM');
  assert.deepEqual(processesOfUids(server.uidBase, 2), [], 'no sandboxed process is left');
  assert.deepEqual(runCgroupsLeft('verdict-test'), [], 'no run cgroup is left');
  removeServerDirs(server);
});

test('runtimes() lists the languages with their versions', async () => {
  const runtimes = await client.runtimes();
  assert.ok(Array.isArray(runtimes), JSON.stringify(runtimes));
  const python = runtimes.find((rt: any) => rt.language === 'python');
  assert.ok(python && /^\d+\.\d+\.\d+$/.test(python.version) && python.aliases.includes('py'), JSON.stringify(runtimes));
});

test('execute(language, code) runs with the client\'s defaults', async () => {
  const result = await client.execute('python', 'import sys\nprint("Hello World!", sys.argv[1:])');
  assert.equal(result.language, 'python');
  assert.equal(result.run.stdout, "Hello World! ['1', '2', '3']\n", JSON.stringify(result));
  assert.equal(result.run.output, result.run.stdout);
  assert.equal(result.run.code, 0);
  assert.equal(result.run.signal, null);
});

test('execute(language, code, config) with stdin, args and a compiled language', async () => {
  const source = '#include <stdio.h>\nint main(int argc, char **argv){ char s[64]; scanf("%63s", s); printf("%s %s %d\\n", s, argv[1], argc); return 0; }';
  const result = await client.execute('c', source, { stdin: 'piped', args: ['x'] });
  assert.equal(result.compile.code, 0, JSON.stringify(result));
  assert.equal(result.run.stdout, 'piped x 2\n');
});

test('execute(config) with files, and a run timeout the client sets', async () => {
  const result = await client.execute({ language: 'bash', files: [{ name: 'main.sh', content: 'sleep 5' }], runTimeout: 500 });
  assert.equal(result.run.status, 'TO', JSON.stringify(result));
  assert.equal(result.run.signal, 'SIGKILL');
});

test('a language the server lacks comes back as Piston\'s error', async () => {
  const result = await client.execute('cobol', 'DISPLAY "hi".');
  assert.deepEqual(result, { message: 'version is required as a string' });
});
