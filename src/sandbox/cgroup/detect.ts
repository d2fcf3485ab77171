import fs from 'node:fs';
import type { CgroupDriver } from './Cgroup.js';
import { nodeCgroupFs } from './fs.js';
import { V1CgroupDriver } from './v1.js';
import { V2CgroupDriver } from './v2.js';
import { CgroupFailed } from '../errors.js';

const CGROUP_MOUNT = '/sys/fs/cgroup';

/**
 * Picks the driver for this host. A pure v2 host mounts cgroup2 at /sys/fs/cgroup itself; a
 * hybrid host mounts a tmpfs there with one directory per v1 controller (and an empty v2 tree
 * at `unified`), so the presence of `memory/memory.limit_in_bytes` means v1.
 */
export function detectCgroupVersion(mount = CGROUP_MOUNT): 'v1' | 'v2' {
  if (fs.existsSync(`${mount}/cgroup.controllers`)) return 'v2';
  if (fs.existsSync(`${mount}/memory/memory.limit_in_bytes`)) return 'v1';
  throw new CgroupFailed(`no usable cgroup hierarchy at ${mount}: neither cgroup v2 nor a v1 memory controller is mounted`);
}

/** This process's v2 cgroup path from /proc/self/cgroup ("0::/some/path"). */
export function ownV2CgroupPath(procSelfCgroup: string): string {
  const line = procSelfCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line ? line.slice(3).trim() || '/' : '/';
}

/**
 * Whether a cgroup2 mount has favordynmods: then moving a process between cgroups never waits
 * for an RCU grace period, and a plain synchronous write is the cheapest way to do it.
 */
export function fastCgroupMoves(procMounts: string): boolean {
  return procMounts.split('\n').some((l) => l.split(' ')[2] === 'cgroup2' && /(^|,)favordynmods(,|$)/.test(l.split(' ')[3] ?? ''));
}

export function createCgroupDriver(version: 'auto' | 'v1' | 'v2', rootName: string): CgroupDriver {
  const v = version === 'auto' ? detectCgroupVersion() : version;
  const syncAttach = fastCgroupMoves(fs.readFileSync('/proc/mounts', 'utf8'));
  if (v === 'v1') return new V1CgroupDriver(CGROUP_MOUNT, rootName, nodeCgroupFs, process.pid, syncAttach);
  const own = ownV2CgroupPath(fs.readFileSync('/proc/self/cgroup', 'utf8'));
  // Started from the leaf we made on an earlier start (or by an operator): work beside it.
  const base = own.endsWith('/service') ? own.slice(0, -'/service'.length) || '/' : own;
  return new V2CgroupDriver(CGROUP_MOUNT, base, rootName, nodeCgroupFs, process.pid, syncAttach);
}
