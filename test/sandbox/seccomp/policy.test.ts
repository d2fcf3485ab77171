import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUDIT_ARCH, SYSCALLS, buildSeccompFilter, buildSeccompProgram, DENIED_ENOSYS, DENIED_EPERM, type Arch } from '../../../src/sandbox/seccomp/index.js';

const ALLOW = 0x7fff0000;
const KILL = 0x80000000;
const errno = (e: number) => 0x00050000 | e;

/** A classic-BPF interpreter for the instructions the filter uses, over a seccomp_data. */
function evaluate(filter: Buffer, arch: number, nr: number, args: number[] = []): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(nr >>> 0, 0);
  data.writeUInt32LE(arch >>> 0, 4);
  args.forEach((a, i) => data.writeUInt32LE(a >>> 0, 16 + 8 * i));
  let acc = 0;
  for (let pc = 0; pc < filter.length / 8; ) {
    const code = filter.readUInt16LE(pc * 8);
    const jt = filter.readUInt8(pc * 8 + 2);
    const jf = filter.readUInt8(pc * 8 + 3);
    const k = filter.readUInt32LE(pc * 8 + 4);
    switch (code) {
      case 0x20:
        acc = data.readUInt32LE(k);
        pc++;
        break;
      case 0x15:
        pc += 1 + (acc === k ? jt : jf);
        break;
      case 0x35:
        pc += 1 + (acc >= k ? jt : jf);
        break;
      case 0x45:
        pc += 1 + ((acc & k) !== 0 ? jt : jf);
        break;
      case 0x06:
        return k;
      default:
        throw new Error(`unexpected BPF opcode ${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('fell off the end of the program');
}

for (const arch of ['x64', 'arm64'] as Arch[]) {
  describe(`seccomp filter for ${arch}`, () => {
    const filter = buildSeccompFilter(arch);
    const a = AUDIT_ARCH[arch];
    const nr = SYSCALLS[arch];

    test('every denied call is refused with its errno', () => {
      for (const name of DENIED_EPERM) assert.equal(evaluate(filter, a, nr[name]), errno(1), name);
      for (const name of DENIED_ENOSYS) assert.equal(evaluate(filter, a, nr[name]), errno(38), name);
    });

    test('ordinary calls are allowed', () => {
      // read, write, openat, mmap, exit_group on each table
      const allowed = arch === 'x64' ? [0, 1, 257, 9, 231] : [63, 64, 56, 222, 94];
      for (const n of allowed) assert.equal(evaluate(filter, a, n), ALLOW, `syscall ${n}`);
    });

    test('clone is allowed for threads and forks, refused with namespace flags', () => {
      const threadFlags = 0x00010000 | 0x00000100 | 0x00000200 | 0x00000400 | 0x00000800 | 0x00080000 | 0x00100000 | 0x00200000 | 0x01000000;
      assert.equal(evaluate(filter, a, nr.clone, [threadFlags]), ALLOW);
      assert.equal(evaluate(filter, a, nr.clone, [17 /* SIGCHLD: fork */]), ALLOW);
      for (const ns of [0x00020000, 0x10000000, 0x20000000, 0x40000000, 0x08000000, 0x04000000, 0x02000000]) {
        assert.equal(evaluate(filter, a, nr.clone, [17 | ns]), errno(1), `flag ${ns.toString(16)}`);
      }
    });

    test('AF_VSOCK sockets are refused, others allowed', () => {
      assert.equal(evaluate(filter, a, nr.socket, [40, 1, 0]), errno(1));
      assert.equal(evaluate(filter, a, nr.socket, [1, 1, 0]), ALLOW);
      assert.equal(evaluate(filter, a, nr.socket, [2, 1, 0]), ALLOW);
    });

    test('TIOCSTI and TIOCLINUX ioctls are refused, others allowed', () => {
      assert.equal(evaluate(filter, a, nr.ioctl, [0, 0x5412]), errno(1));
      assert.equal(evaluate(filter, a, nr.ioctl, [0, 0x541c]), errno(1));
      assert.equal(evaluate(filter, a, nr.ioctl, [0, 0x5401 /* TCGETS */]), ALLOW);
    });

    test('a call from another architecture kills the process', () => {
      assert.equal(evaluate(filter, 0x40000003 /* i386 */, 1), KILL);
    });
  });
}

test('x32 syscall numbers are refused on x86_64', () => {
  const filter = buildSeccompFilter('x64');
  assert.equal(evaluate(filter, AUDIT_ARCH.x64, 0x40000000 + 1), errno(38));
});

test('both tables name every syscall the policy uses', () => {
  for (const arch of ['x64', 'arm64'] as Arch[]) {
    for (const name of [...DENIED_EPERM, ...DENIED_ENOSYS, 'clone', 'socket', 'ioctl']) {
      assert.equal(typeof SYSCALLS[arch][name], 'number', `${arch} ${name}`);
    }
    assert.ok(buildSeccompProgram(arch).length < 255, 'short enough for 8-bit jumps to stay local');
  }
});
