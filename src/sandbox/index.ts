export type { Sandbox, SandboxLimits, RunRequest, RunOutcome, LimitExceeded, Mount, Slot } from './Sandbox.js';
export { BwrapSandbox } from './bwrap/BwrapSandbox.js';
export { prepareHost, type SandboxHost, type HostOptions } from './host.js';
export { BoxFactory, type Box, type BoxFile, type BoxSpace } from './box/BoxFactory.js';
export { SlotPool } from './slots/SlotPool.js';
export type { CgroupDriver, RunCgroup, CgroupLimits, CgroupUsage, CgroupFs } from './cgroup/Cgroup.js';
export { createCgroupDriver, detectCgroupVersion } from './cgroup/detect.js';
export { SandboxSetupFailed, SandboxUnavailable, CgroupFailed } from './errors.js';
export { ZygoteSandbox, type ZygoteSandboxOptions } from './zygote/ZygoteSandbox.js';
