import { AUDIT_ARCH, SYSCALLS, type Arch } from './syscalls.js';
import {
  DATA_ARCH, DATA_NR, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, assemble, dataArgLow, jeq, jge, jset, load, ret, seccompRetErrno,
  type Instruction,
} from './bpf.js';

const EPERM = 1;
const ENOSYS = 38;

/** Calls no judged program needs and an escape would: refused with EPERM. */
export const DENIED_EPERM = [
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd',
  'mount', 'umount2', 'pivot_root', 'chroot', 'unshare', 'setns',
  'keyctl', 'add_key', 'request_key', 'bpf', 'perf_event_open', 'userfaultfd',
  'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module',
  'reboot', 'swapon', 'swapoff', 'acct', 'quotactl',
  'open_by_handle_at', 'name_to_handle_at', 'fanotify_init', 'syslog',
  'settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex',
] as const;

/**
 * Refused with ENOSYS, which runtimes read as "not implemented here" and fall back cleanly:
 * glibc retries clone3 as clone (whose flags the filter can inspect), io_uring users fall back
 * to ordinary I/O, and the new mount API is refused like the old one.
 */
export const DENIED_ENOSYS = [
  'clone3', 'io_uring_setup', 'io_uring_enter', 'io_uring_register',
  'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr',
] as const;

/** clone() flags that create namespaces. CLONE_NEWTIME (0x80) is left out: in clone() that bit is part of the exit signal. */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
const AF_VSOCK = 40;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
/** x32 syscalls on x86_64 have this bit set; they would bypass a table of x86_64 numbers. */
const X32_SYSCALL_BIT = 0x40000000;

/**
 * Builds the filter for one architecture. A program of another architecture (a 32-bit int 0x80
 * call on x86_64) is killed, since its numbers mean other calls.
 */
export function buildSeccompProgram(arch: Arch): Instruction[] {
  const nr = SYSCALLS[arch];
  const p: Instruction[] = [load(DATA_ARCH), jeq(AUDIT_ARCH[arch], 1, 0), ret(SECCOMP_RET_KILL_PROCESS), load(DATA_NR)];
  if (arch === 'x64') p.push(jge(X32_SYSCALL_BIT, 0, 1), ret(seccompRetErrno(ENOSYS)));
  for (const name of DENIED_EPERM) p.push(jeq(nr[name], 0, 1), ret(seccompRetErrno(EPERM)));
  for (const name of DENIED_ENOSYS) p.push(jeq(nr[name], 0, 1), ret(seccompRetErrno(ENOSYS)));
  // Argument checks. Each block loads an argument, so it ends with its own returns; any other
  // syscall number jumps over the whole block to the next one.
  p.push(jeq(nr.clone, 0, 4), load(dataArgLow(0)), jset(CLONE_NAMESPACE_FLAGS, 0, 1), ret(seccompRetErrno(EPERM)), ret(SECCOMP_RET_ALLOW));
  // AF_VSOCK reaches the hypervisor's host and is not confined by a network namespace.
  p.push(jeq(nr.socket, 0, 4), load(dataArgLow(0)), jeq(AF_VSOCK, 0, 1), ret(seccompRetErrno(EPERM)), ret(SECCOMP_RET_ALLOW));
  // TIOCSTI and TIOCLINUX push input into a terminal another process reads.
  p.push(jeq(nr.ioctl, 0, 5), load(dataArgLow(1)), jeq(TIOCSTI, 1, 0), jeq(TIOCLINUX, 0, 1), ret(seccompRetErrno(EPERM)), ret(SECCOMP_RET_ALLOW));
  p.push(ret(SECCOMP_RET_ALLOW));
  return p;
}

export function hostArch(): Arch {
  if (process.arch === 'x64' || process.arch === 'arm64') return process.arch;
  throw new Error(`no seccomp syscall table for ${process.arch}; Verdict runs on x86_64 and arm64`);
}

/** The assembled filter for this host, built once at start and handed to every sandbox. */
export function buildSeccompFilter(arch: Arch = hostArch()): Buffer {
  return assemble(buildSeccompProgram(arch));
}
