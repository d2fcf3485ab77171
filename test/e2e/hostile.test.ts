import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from '../helpers/http.js';
import { processesOfUids, runCgroupsLeft } from '../helpers/leaks.js';
import { removeServerDirs, startServer, type TestServer } from '../helpers/server.js';

/**
 * Hostile programs through the public API. Each asserts its exact verdict and that nothing
 * outside the run changed: no process left, no host file touched, the service still answers.
 */
const SECRET = `secret-${process.pid}-${Date.now()}`;
const HOST_MARKER = path.join(os.tmpdir(), `verdict-hostile-marker-${process.pid}`);
for (const mode of ['warm', 'cold']) {
describe(`${mode} sandbox under attack`, () => {
  let server: TestServer;


before(async () => {
  fs.writeFileSync(HOST_MARKER, 'untouched');
  server = await startServer({ slots: 2, env: { VERDICT_TEST_SECRET: SECRET, VERDICT_SANDBOX_MODE: mode } });
});

after(async () => {
  const code = await server.stop();
  const marker = fs.readFileSync(HOST_MARKER, 'utf8');
  fs.rmSync(HOST_MARKER);
  assert.equal(marker, 'untouched', 'a host file the programs aimed at is unchanged');
  assert.equal(code, 0);
  assert.deepEqual(processesOfUids(server.uidBase, 2), []);
  assert.deepEqual(runCgroupsLeft('verdict-test'), []);
  removeServerDirs(server);
});

async function run(language: string, source: string, extra: Record<string, unknown> = {}): Promise<any> {
  const r = await request('POST', `${server.url}/v1/submissions?wait=true`, { language, source, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'finished', JSON.stringify(r.body));
  return r.body;
}

/** After every attack: no process of the slots survives the run (the zygotes stay by design), and the service answers. */
async function assertContained(): Promise<void> {
  assert.deepEqual(processesOfUids(server.uidBase, 2, /\/\.verdict\/zygote/), [], 'nothing of the run is left running');
  const ok = await run('python', 'print("still here")');
  assert.equal(ok.stdout, 'still here\n');
}

describe('process bombs', () => {
  test('C fork bomb: contained by the process limit, stopped by the time limit', async () => {
    const r = await run('c', '#include <unistd.h>\nint main(void){ for (;;) fork(); }', { limits: { processes: 16, wall_time_ms: 2000, cpu_time_ms: 2000 } });
    assert.equal(r.verdict, 'time_limit_exceeded', JSON.stringify(r));
    await assertContained();
  });

  test('bash fork bomb', async () => {
    const r = await run('bash', ':(){ :|:& };:\nsleep 5\n', { limits: { processes: 16, wall_time_ms: 2000 } });
    assert.equal(r.verdict, 'time_limit_exceeded', JSON.stringify(r));
    await assertContained();
  });

  test('python fork loop that survives failures', async () => {
    const r = await run('python', 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n', { limits: { processes: 16, wall_time_ms: 2000, cpu_time_ms: 2000 } });
    assert.equal(r.verdict, 'time_limit_exceeded', JSON.stringify(r));
    await assertContained();
  });

  test('C thread bomb', async () => {
    const r = await run('c', '#include <pthread.h>\n#include <unistd.h>\nstatic void *f(void *a){ (void)a; pause(); return 0; }\nint main(void){ pthread_t t; for (;;) pthread_create(&t, 0, f, 0); }', {
      limits: { processes: 16, wall_time_ms: 2000, cpu_time_ms: 1000 },
      compile_options: ['-pthread'],
    });
    assert.equal(r.verdict, 'time_limit_exceeded', JSON.stringify(r));
    await assertContained();
  });
});

describe('memory and disk', () => {
  test('MAP_POPULATE of a huge mapping is a memory limit', async () => {
    const r = await run('c', '#define _GNU_SOURCE\n#include <sys/mman.h>\nint main(void){ void *p = mmap(0, 512ul << 20, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0); return p == MAP_FAILED; }', { limits: { memory_kb: 65536 } });
    assert.equal(r.verdict, 'memory_limit_exceeded', JSON.stringify(r));
  });

  test('gradual growth is a memory limit', async () => {
    const r = await run('python', 'keep = []\nwhile True:\n    keep.append(b"x" * (1 << 20))\n', { limits: { memory_kb: 65536 } });
    assert.equal(r.verdict, 'memory_limit_exceeded', JSON.stringify(r));
  });

  test('filling /dev/shm counts as memory', async () => {
    const r = await run('python', 'with open("/dev/shm/fill", "wb") as f:\n    for _ in range(60):\n        f.write(b"x" * (1 << 20))\n', { limits: { memory_kb: 32768, file_size_kb: 65536 } });
    assert.equal(r.verdict, 'memory_limit_exceeded', JSON.stringify(r));
  });

  test('/tmp over its size fails with ENOSPC inside, a runtime error', async () => {
    const r = await run('python', 'for name in ["a", "b"]:\n    with open("/tmp/" + name, "wb") as f:\n        for _ in range(40):\n            f.write(b"x" * (1 << 20))\n', { limits: { memory_kb: 524288, file_size_kb: 65536 } });
    assert.equal(r.verdict, 'runtime_error', JSON.stringify(r));
    assert.match(r.stderr, /No space left on device/);
  });

  test('running /box out of inodes gives ENOSPC inside, and the next run has room again', async () => {
    const r = await run('python', 'import os\nn = 0\ntry:\n    while True:\n        open(f"f{n}", "w").close()\n        n += 1\nexcept OSError as e:\n    print(e.errno, n > 1000)\n', { limits: { memory_kb: 524288, wall_time_ms: 20000, cpu_time_ms: 15000 } });
    assert.equal(r.verdict, 'accepted', JSON.stringify({ ...r, stdout: r.stdout.slice(0, 200) }));
    assert.equal(r.stdout, '28 True\n');
    const next = await run('python', 'open("x", "w").write("ok")\nprint(open("x").read())\n');
    assert.equal(next.stdout, 'ok\n');
  });

  test('running /tmp out of inodes: ENOSPC at the inode cap (warm) or the memory limit (cold)', async () => {
    const r = await run('python', 'import os\nn = 0\ntry:\n    while True:\n        open(f"/tmp/f{n}", "w").close()\n        n += 1\nexcept OSError as e:\n    print(e.errno, n > 1000)\n', { limits: { memory_kb: 65536, wall_time_ms: 20000, cpu_time_ms: 15000 } });
    // bubblewrap cannot cap a tmpfs's inodes, but every inode is charged to the run's memory.
    if (mode === 'warm') assert.equal(r.stdout, '28 True\n', JSON.stringify(r));
    else assert.equal(r.verdict, 'memory_limit_exceeded', JSON.stringify(r));
  });

  test('a huge file in /box is stopped by the file size limit (SIGXFSZ)', async () => {
    const r = await run('c', '#include <stdio.h>\nint main(void){ FILE *f = fopen("big", "w"); for (;;) fputs("0123456789abcdef", f); }', { limits: { file_size_kb: 1024 } });
    assert.equal(r.verdict, 'output_limit_exceeded', JSON.stringify(r));
    assert.equal(r.verdict_detail, 'file_size');
  });

  test('Python, which ignores SIGXFSZ, sees EFBIG and fails: a runtime error', async () => {
    const r = await run('python', 'with open("big", "wb") as f:\n    while True:\n        f.write(b"x" * 65536)\n', { limits: { file_size_kb: 1024 } });
    assert.equal(r.verdict, 'runtime_error', JSON.stringify(r));
    assert.match(r.stderr, /File too large/);
  });

  test('output flood is capped and reported as output limit', async () => {
    const r = await run('bash', 'yes\n', { limits: { output_kb: 64 } });
    assert.equal(r.verdict, 'output_limit_exceeded');
    assert.equal(r.stdout.length, 64 * 1024);
    await assertContained();
  });
});

describe('reading the host', () => {
  test('no /etc/shadow, no service database, no environment secrets, no pid 1 environment', async () => {
    const r = await run('python', `import os
def probe(path):
    try:
        open(path, "rb").read(64)
        return "read"
    except OSError as e:
        return type(e).__name__
print("shadow", probe("/etc/shadow"))
print("db", probe(${JSON.stringify(path.join(server.dataDir, 'verdict.db'))}))
try:
    print("environ1", ${JSON.stringify(SECRET)} in open("/proc/1/environ").read())
except OSError as e:
    print("environ1", type(e).__name__)
print("secret", any(${JSON.stringify(SECRET)} in v for v in os.environ.values()))
print("sys", os.path.exists("/sys/fs/cgroup"))
`);
    assert.equal(r.verdict, 'accepted', JSON.stringify(r));
    assert.equal(r.stdout, 'shadow FileNotFoundError\ndb FileNotFoundError\nenviron1 PermissionError\nsecret False\nsys False\n');
  });

  test('writes outside /box, /tmp and /dev/shm are refused', async () => {
    const r = await run('python', `def attempt(path):
    try:
        open(path, "w").write("x")
        return "wrote"
    except OSError as e:
        return "refused"
print(" ".join(attempt(p) for p in ["/usr/evil", "/etc/evil", "/etc/ld.so.preload", "/evil", "/proc/evil"]))
print(attempt("/box/ok"), attempt("/tmp/ok"), attempt("/dev/shm/ok"))
`);
    assert.equal(r.verdict, 'accepted', JSON.stringify(r));
    assert.equal(r.stdout, 'refused refused refused refused refused\nwrote wrote wrote\n');
  });
});

describe('planting links for the service', () => {
  test('symlinks, hardlinks and FIFOs left in the box do not make the service touch host files', async () => {
    const r = await run('python', `import os
os.symlink(${JSON.stringify(HOST_MARKER)}, "marker-link")
os.symlink("/", "root-link")
os.mkfifo("fifo")
try:
    os.link("/etc/passwd", "hard")
except OSError as e:
    print("hardlink", type(e).__name__)
for name in ["main.py"]:
    os.remove(name)
    os.symlink(${JSON.stringify(HOST_MARKER)}, name)
print("planted")
`);
    assert.equal(r.verdict, 'accepted', JSON.stringify(r));
    assert.match(r.stdout, /planted/);
    assert.ok(fs.existsSync(HOST_MARKER), 'removing the box did not follow a link');
    await assertContained();
  });
});

describe('injection', () => {
  test('shell metacharacters and newlines in args reach the program verbatim', async () => {
    const args = ['$(id)', '`whoami`', 'a;b', 'x\ny', "'quoted'", '&& rm -rf /', '*'];
    const r = await run('python', 'import sys, json\nprint(json.dumps(sys.argv[1:]))\n', { args });
    assert.equal(r.verdict, 'accepted', JSON.stringify(r));
    assert.deepEqual(JSON.parse(r.stdout), args);
  });

  test('compile options are arguments, never a shell line', async () => {
    const r = await run('c', 'int main(void){ return 0; }', { compile_options: '; touch /box/pwned && echo pwned' });
    assert.equal(r.verdict, 'compile_error', JSON.stringify(r));
    assert.doesNotMatch(r.compile_output, /^pwned$/m);
  });
});

describe('network', () => {
  test('the service API port, any loopback port and the outside are unreachable', async () => {
    const port = new URL(server.url).port;
    const r = await run('python', `import socket
def attempt(host, port, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect((host, port))
        return "connected"
    except OSError as e:
        return type(e).__name__
print(attempt("127.0.0.1", ${port}), attempt("127.0.0.1", 5432), attempt("1.1.1.1", 443))
try:
    socket.getaddrinfo("example.com", 80)
    print("dns resolved")
except OSError as e:
    print("dns", type(e).__name__)
try:
    socket.socket(40, socket.SOCK_STREAM)
    print("vsock open")
except OSError as e:
    print("vsock", e.errno)
`);
    assert.equal(r.verdict, 'accepted', JSON.stringify(r));
    const [line1, line2, line3] = r.stdout.trim().split('\n');
    assert.doesNotMatch(line1, /connected/);
    assert.match(line2, /^dns /);
    assert.equal(line3, 'vsock 1');
  });
});

describe('privilege and signals', () => {
  test('kill -9 -1 reaches only the program\'s own processes', async () => {
    // kill(-1) spares the caller (POSIX), so the script goes on; its background child dies.
    const r = await run('bash', 'sleep 30 &\nchild=$!\nkill -9 -1\nwait $child\necho "survived, child status $?"\n');
    assert.equal(r.verdict, 'accepted', JSON.stringify(r));
    assert.equal(r.stdout, 'survived, child status 137\n');
    await assertContained();
  });

  test('unshare and ptrace are refused', async () => {
    const r = await run('python', `import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(libc.unshare(0x10000000), ctypes.get_errno())
print(libc.ptrace(16, 1, 0, 0), ctypes.get_errno())
`);
    assert.equal(r.stdout, '-1 1\n-1 1\n');
  });

  test('a daemon left behind after main exits is killed with the run', async () => {
    const r = await run('bash', '(trap "" HUP TERM; setsid sleep 60 &) \necho started\n');
    assert.equal(r.verdict, 'accepted', JSON.stringify(r));
    await assertContained();
  });

  test('a program that stops itself is ended by the wall limit', async () => {
    const r = await run('python', 'import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\n', { limits: { wall_time_ms: 1000 } });
    assert.equal(r.verdict, 'time_limit_exceeded');
    assert.equal(r.verdict_detail, 'wall');
  });

  test('deep recursion hits the stack limit: a runtime error', async () => {
    const r = await run('c', 'int f(int n){ volatile char pad[4096]; pad[0] = (char)n; return f(n + 1) + pad[0]; }\nint main(void){ return f(0); }', { limits: { stack_kb: 8192 } });
    assert.equal(r.verdict, 'runtime_error', JSON.stringify(r));
    assert.equal(r.signal, 'SIGSEGV');
  });

  test('opening a million files stops at the descriptor limit', async () => {
    const r = await run('python', 'import os\nfds = []\ntry:\n    for _ in range(10**6):\n        fds.append(os.open("/dev/null", os.O_RDONLY))\nexcept OSError as e:\n    print(len(fds) < 2000, e.errno)\n');
    assert.equal(r.stdout, 'True 24\n');
  });
});

describe('state between runs', () => {
  test('/tmp, /dev/shm, /dev, /etc and SysV shared memory start clean for the next run', async () => {
    const plant = await run('c', `#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>
int main(void){
  fopen("/tmp/left", "w"); fopen("/dev/shm/left", "w"); fopen("/dev/left", "w"); fopen("/etc/left", "w");
  int id = shmget(0x7e57, 4096, IPC_CREAT | 0666);
  printf("%d\\n", id >= 0);
  return 0; }`);
    assert.equal(plant.stdout, '1\n');
    for (let i = 0; i < 2; i++) {
      // Both slots: whichever runs next must see a clean slate.
      const look = await run('c', `#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
int main(void){
  printf("%d %d %d %d %d\\n", access("/tmp/left", F_OK) == 0, access("/dev/shm/left", F_OK) == 0, access("/dev/left", F_OK) == 0,
    access("/etc/left", F_OK) == 0, shmget(0x7e57, 0, 0) >= 0);
  return 0; }`);
      assert.equal(look.stdout, '0 0 0 0 0\n');
    }
  });
});
});
}

describe('runtimes under the seccomp filter', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ slots: 2 });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    removeServerDirs(server);
  });
  const cases: Array<[string, string, string]> = [
    ['java', 'public class Threads {\n  public static void main(String[] a) throws Exception {\n    Thread[] ts = new Thread[8];\n    long[] sums = new long[8];\n    for (int i = 0; i < 8; i++) { final int k = i; ts[i] = new Thread(() -> { for (int j = 0; j < 1000000; j++) sums[k] += j % 7; }); ts[i].start(); }\n    long total = 0;\n    for (int i = 0; i < 8; i++) { ts[i].join(); total += sums[i]; }\n    System.out.println("threads " + total);\n  }\n}\n', 'threads 23999976\n'],
    ['go', 'package main\n\nimport (\n\t"fmt"\n\t"sync"\n)\n\nfunc main() {\n\tvar wg sync.WaitGroup\n\tsums := make([]int, 8)\n\tfor i := 0; i < 8; i++ {\n\t\twg.Add(1)\n\t\tgo func(k int) {\n\t\t\tdefer wg.Done()\n\t\t\tfor j := 0; j < 1000000; j++ {\n\t\t\t\tsums[k] += j % 7\n\t\t\t}\n\t\t}(i)\n\t}\n\twg.Wait()\n\ttotal := 0\n\tfor _, s := range sums {\n\t\ttotal += s\n\t}\n\tfmt.Println("threads", total)\n}\n', 'threads 23999976\n'],
    ['rust', 'fn main() {\n    let hs: Vec<_> = (0..8).map(|_| std::thread::spawn(|| (0..1000000u64).map(|j| j % 7).sum::<u64>())).collect();\n    let total: u64 = hs.into_iter().map(|h| h.join().unwrap()).sum();\n    println!("threads {}", total);\n}\n', 'threads 23999976\n'],
    ['javascript', 'const { execSync } = require("child_process");\nconst { Worker } = require("worker_threads");\nconst w = new Worker("require(\'worker_threads\').parentPort.postMessage(6 * 7)", { eval: true });\nw.on("message", (m) => { console.log("worker", m, execSync("/bin/echo child").toString().trim()); w.terminate(); });\n', 'worker 42 child\n'],
    ['python', 'import subprocess, os, threading\nr = []\nt = threading.Thread(target=lambda: r.append(subprocess.run(["/bin/echo", "child"], capture_output=True).stdout.decode().strip()))\nt.start(); t.join()\npid = os.fork()\nif pid == 0:\n    os._exit(7)\n_, st = os.waitpid(pid, 0)\nprint(r[0], os.waitstatus_to_exitcode(st))\n', 'child 7\n'],
  ];
  for (const [language, source, expected] of cases) {
    test(`${language}: threads, processes and children still work`, async () => {
      const r = await request('POST', `${server.url}/v1/submissions?wait=true`, { language, source });
      assert.equal(r.body.verdict, 'accepted', JSON.stringify(r.body));
      assert.equal(r.body.stdout, expected);
    });
  }
});
