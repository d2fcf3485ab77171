export { buildSeccompFilter, buildSeccompProgram, hostArch, DENIED_EPERM, DENIED_ENOSYS, CLONE_NAMESPACE_FLAGS } from './policy.js';
export { SYSCALLS, AUDIT_ARCH, type Arch } from './syscalls.js';
export { assemble, type Instruction } from './bpf.js';
