import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  BoxFactory, SlotPool, createCgroupDriver, prepareHost, type Box, type CgroupDriver, type InteractiveIo, type RunControl, type RunOutcome, type Sandbox, type SandboxHost, type SandboxLimits, type Slot,
} from '../../src/sandbox/index.js';
import { processesOfUids, runCgroupsLeft } from '../helpers/leaks.js';
import fs from 'node:fs';
import { PassThrough } from 'node:stream';

export interface SandboxParts {
  readonly host: SandboxHost;
  readonly cgroups: CgroupDriver;
  readonly boxes: BoxFactory;
  readonly slots: SlotPool;
  /** Failures of background cleanup; the contract asserts there were none. */
  readonly onError: (err: unknown) => void;
}

/**
 * The contract every Sandbox adapter meets, run against the real thing with C programs:
 * exact exit status, measurement, limits and isolation.
 */
export function sandboxContract(name: string, uidBase: number, make: (parts: SandboxParts) => Sandbox): void {
describe(name, () => {
const NATIVE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const SANDBOX_DIR = `/run/verdict-test-sandbox-${process.pid}`;
const UID_BASE = uidBase;
const LIMITS: SandboxLimits = { cpuTimeMs: 5000, wallTimeMs: 10000, memoryKb: 262144, processes: 32, outputKb: 1024, fileSizeKb: 1024, stackKb: 8192 };

let cgroups: CgroupDriver;
let sandbox: Sandbox;
let boxes: BoxFactory;
let slots: SlotPool;
const cleanupErrors: unknown[] = [];

before(async () => {
  cgroups = createCgroupDriver('auto', 'verdict-test');
  await cgroups.init();
  const host = prepareHost({ sandboxDir: SANDBOX_DIR, nativeDir: NATIVE_DIR, tmpSizeKb: 16384 });
  boxes = new BoxFactory(path.join(SANDBOX_DIR, 'boxes'));
  boxes.init();
  slots = new SlotPool(1, UID_BASE, path.join(SANDBOX_DIR, 'cache'));
  sandbox = make({ host, cgroups, boxes, slots, onError: (err) => cleanupErrors.push(err) });
});

after(async () => {
  await sandbox.close?.();
  await boxes.close();
  assert.deepEqual(cleanupErrors, [], 'every cgroup was removed');
  await cgroups.close();
  fs.rmSync(SANDBOX_DIR, { recursive: true, force: true });
  assert.deepEqual(processesOfUids(UID_BASE, 1), []);
  assert.deepEqual(runCgroupsLeft('verdict-test'), []);
});

/** Compiles `source` with gcc inside the sandbox, then runs it there. */
async function runC(source: string, limits: Partial<SandboxLimits> = {}, stdin = '', interactive?: InteractiveIo): Promise<RunOutcome> {
  return slots.with(async (slot: Slot) => {
    const box: Box = await boxes.create(slot, [{ name: 'main.c', content: Buffer.from(source) }]);
    try {
      const env = { PATH: '/usr/bin:/bin', HOME: '/box' };
      const compiled = await sandbox.run({
        slot, boxDir: box.dir, argv: ['/usr/bin/gcc', '-O1', '-pthread', '-o', 'main', 'main.c'], env, stdin: Buffer.alloc(0),
        limits: { ...LIMITS, processes: 64, fileSizeKb: 65536 },
      });
      assert.equal(compiled.exitCode, 0, compiled.stderr.toString());
      return await sandbox.run({ slot, boxDir: box.dir, argv: ['/box/main'], env, stdin: Buffer.from(stdin), limits: { ...LIMITS, ...limits }, interactive });
    } finally {
      await box.remove();
    }
  });
}

describe('exit status is exact', () => {
  test('exit(137) is exit code 137, not a kill', async () => {
    const r = await runC('#include <stdlib.h>\nint main(void){ exit(137); }');
    assert.equal(r.exitCode, 137);
    assert.equal(r.signal, null);
    assert.equal(r.limitExceeded, null);
  });

  test('a program killed by SIGKILL reports the signal', async () => {
    const r = await runC('#include <signal.h>\n#include <unistd.h>\nint main(void){ kill(getpid(), SIGKILL); return 0; }');
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.limitExceeded, null);
  });

  test('SIGSEGV is named', async () => {
    const r = await runC('int main(void){ volatile int *p = 0; return *p; }');
    assert.equal(r.signal, 'SIGSEGV');
  });
});

describe('measurement', () => {
  test('1.0 s of CPU is reported as 1.0 s within 10%', async () => {
    const r = await runC(`#include <time.h>
int main(void){ struct timespec t; volatile unsigned long x = 0;
  do { for (int i = 0; i < 100000; i++) x++; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); } while (t.tv_sec < 1);
  return 0; }`);
    assert.equal(r.exitCode, 0);
    assert.ok(Math.abs(r.cpuTimeMs - 1000) <= 100, `cpu ${r.cpuTimeMs} ms`);
  });

  test('touching 100 MB is reported as 100 MB within 10%', async () => {
    const r = await runC(`#include <stdlib.h>
int main(void){ size_t n = 100u << 20; volatile char *p = malloc(n); for (size_t i = 0; i < n; i += 4096) p[i] = 1; return p[4096] - 1; }`);
    assert.equal(r.exitCode, 0);
    assert.ok(Math.abs(r.memoryKb - 102400) <= 10240, `memory ${r.memoryKb} KiB`);
  });

  test('two spinning threads report more CPU than wall time', async () => {
    const r = await runC(`#include <pthread.h>
#include <time.h>
static void *spin(void *a){ struct timespec t; volatile unsigned long x = 0; (void)a;
  do { for (int i = 0; i < 100000; i++) x++; clock_gettime(CLOCK_MONOTONIC, &t); } while (t.tv_sec < *(long *)a);
  return 0; }
int main(void){ struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); static long until; until = t.tv_sec + 2;
  pthread_t a, b; pthread_create(&a, 0, spin, &until); pthread_create(&b, 0, spin, &until);
  pthread_join(a, 0); pthread_join(b, 0); return 0; }`);
    assert.equal(r.exitCode, 0);
    assert.ok(r.cpuTimeMs > r.wallTimeMs * 1.3, `cpu ${r.cpuTimeMs} ms, wall ${r.wallTimeMs} ms`);
  });

  test('a sleep past the wall limit is stopped within the limit plus 0.5 s', async () => {
    const r = await runC('#include <unistd.h>\nint main(void){ sleep(30); return 0; }', { wallTimeMs: 1000 });
    assert.equal(r.limitExceeded, 'wall');
    assert.ok(r.wallTimeMs >= 1000 && r.wallTimeMs <= 1500, `wall ${r.wallTimeMs} ms`);
  });
});

describe('a run refused before it starts', () => {
  test('does not hold up the next run of its slot', async () => {
    await slots.with(async (slot: Slot) => {
      // A box outside the slot's boxes: refused (or failed) before the program could start.
      const refused = await sandbox
        .run({ slot, boxDir: path.join(SANDBOX_DIR, 'not-a-box'), argv: ['/bin/true'], env: {}, stdin: Buffer.from('x'), limits: LIMITS })
        .then((outcome) => outcome, (err: unknown) => err);
      // The warm sandbox refuses it; a cold one may start bubblewrap, which fails to bind the box.
      assert.ok(refused instanceof Error || (refused as RunOutcome).exitCode !== 0, `the run did not succeed: ${JSON.stringify(refused)}`);
      const box = await boxes.create(slot, []);
      try {
        const started = performance.now();
        const next = await sandbox.run({ slot, boxDir: box.dir, argv: ['/bin/true'], env: {}, stdin: Buffer.from('x'), limits: LIMITS });
        assert.equal(next.exitCode, 0);
        // A spare left waiting for a request that never came would hold the slot for seconds.
        assert.ok(performance.now() - started < 3000, `the next run took ${(performance.now() - started).toFixed(0)} ms`);
      } finally {
        await box.remove();
      }
    });
  });
});

describe('limits', () => {
  test('CPU limit stops a spinning program', async () => {
    const r = await runC('int main(void){ volatile unsigned long x = 0; for (;;) x++; }', { cpuTimeMs: 500 });
    assert.equal(r.limitExceeded, 'cpu');
  });

  test('memory limit stops an allocation and is reported as memory', async () => {
    const r = await runC('#include <stdlib.h>\nint main(void){ size_t n = 256u << 20; volatile char *p = malloc(n); for (size_t i = 0; i < n; i += 4096) p[i] = 1; return p[4096]; }', { memoryKb: 32768 });
    assert.equal(r.limitExceeded, 'memory');
  });

  test('a file over the size limit is SIGXFSZ, reported as file size', async () => {
    const r = await runC('#include <stdio.h>\nint main(void){ FILE *f = fopen("big", "w"); for (int i = 0; i < 1 << 20; i++) fputs("0123456789", f); fclose(f); return 0; }', { fileSizeKb: 64 });
    assert.equal(r.signal, 'SIGXFSZ');
    assert.equal(r.limitExceeded, 'file_size');
  });

  test('a fork bomb is contained by the process limit and nothing survives it', async () => {
    const r = await runC('#include <unistd.h>\nint main(void){ for (;;) fork(); }', { wallTimeMs: 2000, processes: 16 });
    assert.equal(r.limitExceeded, 'wall');
    // A warm sandbox's zygote (and the bwrap holding it) stays between runs by design.
    assert.deepEqual(processesOfUids(UID_BASE, 1, /\/\.verdict\/zygote/), []);
  });

  test('output over the limit stops the program and keeps the first bytes', async () => {
    const r = await runC('#include <stdio.h>\nint main(void){ for (;;) puts("yes"); }', { outputKb: 8 });
    assert.equal(r.limitExceeded, 'output');
    assert.equal(r.stdout.length, 8192);
  });
});

describe('live runs', () => {
  /** A live run of `source`; `until(text)` resolves once its stdout so far holds `text`. */
  function live(source: string) {
    const stdin = new PassThrough();
    let stdout = '';
    const waiters: Array<{ text: string; resolve: () => void }> = [];
    let control: RunControl | null = null;
    const outcome = runC(source, {}, '', {
      stdin,
      onOutput: (stream, chunk) => {
        if (stream === 'stdout') stdout += chunk.toString();
        for (const w of waiters.filter((w) => stdout.includes(w.text))) w.resolve();
      },
      onStart: (c) => (control = c),
    });
    const until = (text: string) => new Promise<void>((resolve) => (stdout.includes(text) ? resolve() : waiters.push({ text, resolve })));
    return { stdin, outcome, until, signal: (name: NodeJS.Signals) => control!.signal(name), stdout: () => stdout };
  }

  test('input reaches the program as it arrives, its answer leaves before input ends, end of file ends it', async () => {
    const run = live('#include <stdio.h>\nint main(void){ char l[64]; if (!fgets(l, sizeof l, stdin)) return 1; printf("got %s", l); fflush(stdout);\n  int n = 0; while (getchar() != EOF) n++; printf("%d\\n", n); return 0; }');
    run.stdin.write('a');
    await new Promise((resolve) => setTimeout(resolve, 50));
    run.stdin.write('b\nxy');
    await run.until('got ab\n');
    run.stdin.end('z');
    const r = await run.outcome;
    assert.equal(r.exitCode, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), 'got ab\n3\n');
    assert.equal(run.stdout(), r.stdout.toString(), 'every piece was handed on as it came');
  });

  test('a signal reaches the program, which starts with no signal blocked or ignored', async () => {
    const run = live(`#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void){ FILE *s = fopen("/proc/self/status", "r"); char l[256];
  while (fgets(l, sizeof l, s)) if (!strncmp(l, "SigBlk", 6) || !strncmp(l, "SigIgn", 6)) fputs(l, stdout);
  puts("ready"); fflush(stdout); sleep(30); return 0; }`);
    await run.until('ready\n');
    run.signal('SIGUSR1');
    const r = await run.outcome;
    assert.equal(r.signal, 'SIGUSR1');
    assert.equal(r.limitExceeded, null);
    assert.match(r.stdout.toString(), /SigBlk:\s+0+\nSigIgn:\s+0+\n/);
    run.signal('SIGKILL');
  });
});

describe('isolation', () => {
  test('denied syscalls fail inside: EPERM or ENOSYS', async () => {
    const r = await runC(`#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sched.h>
int main(void){
  printf("ptrace %d\\n", syscall(SYS_ptrace, 0, 0, 0, 0) < 0 ? errno : 0);
  printf("unshare %d\\n", syscall(SYS_unshare, CLONE_NEWUSER) < 0 ? errno : 0);
  printf("mount %d\\n", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0) < 0 ? errno : 0);
  printf("keyctl %d\\n", syscall(SYS_keyctl, 0, 0, 0, 0, 0) < 0 ? errno : 0);
  printf("bpf %d\\n", syscall(SYS_bpf, 0, 0, 0) < 0 ? errno : 0);
  printf("clone3 %d\\n", syscall(SYS_clone3, 0, 0) < 0 ? errno : 0);
  printf("io_uring %d\\n", syscall(SYS_io_uring_setup, 1, 0) < 0 ? errno : 0);
  printf("vsock %d\\n", socket(40, SOCK_STREAM, 0) < 0 ? errno : 0);
  printf("clone_newns %d\\n", syscall(SYS_clone, CLONE_NEWNS | 17, 0, 0, 0, 0) < 0 ? errno : 0);
  return 0; }`);
    assert.equal(r.exitCode, 0, r.stderr.toString());
    const got = Object.fromEntries(r.stdout.toString().trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
    assert.deepEqual(got, { ptrace: 1, unshare: 1, mount: 1, keyctl: 1, bpf: 1, clone3: 38, io_uring: 38, vsock: 1, clone_newns: 1 });
  });

  test('runs as an unprivileged uid with no capabilities and no host secrets', async () => {
    const r = await runC(`#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
int main(void){
  printf("uid=%d\\n", getuid());
  printf("shadow=%s\\n", fopen("/etc/shadow", "r") ? "readable" : "no");
  printf("env=%s\\n", getenv("PATH") ? "PATH-only" : "none");
  FILE *s = fopen("/proc/self/status", "r"); char line[256];
  while (fgets(line, sizeof line, s)) if (line[0] == 'C' && line[1] == 'a' && line[2] == 'p' && line[3] == 'E') fputs(line, stdout);
  return 0; }`);
    const out = r.stdout.toString();
    assert.match(out, /uid=1000/);
    assert.match(out, /shadow=no/);
    assert.match(out, /CapEff:\s+0+\n/);
  });

  test('the host loopback is unreachable', async () => {
    const server = net.createServer((c) => c.end('secret'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await runC(`#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
int main(void){ int s = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in a; memset(&a, 0, sizeof a);
  a.sin_family = AF_INET; a.sin_port = htons(${port}); a.sin_addr.s_addr = htonl(0x7f000001);
  puts(connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? "connected" : "refused"); return 0; }`);
      assert.equal(r.stdout.toString().trim(), 'refused');
    } finally {
      server.close();
    }
  });
});
});
}
