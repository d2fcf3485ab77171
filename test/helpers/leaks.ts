import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Live processes running as any uid in [uidBase, uidBase + count): a sandbox left behind.
 * Zombies do not count: they are dead, hold nothing but a pid, and belong to the host's init,
 * which reaps the exited sandbox init that bwrap leaves to it (slowly on some VMs' pid 1).
 */
export function processesOfUids(uidBase: number, count: number, ignore?: RegExp): string[] {
  const out = execFileSync('ps', ['-eo', 'uid=,pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => {
      const [uidText, , , stat] = l.split(/\s+/);
      const uid = Number(uidText);
      return uid >= uidBase && uid < uidBase + count && !stat.startsWith('Z') && !(ignore && ignore.test(l));
    });
}

/** Per-run cgroups still present under the test root (v1 memory controller or v2 mount). */
export function runCgroupsLeft(rootName: string): string[] {
  const roots = [`/sys/fs/cgroup/memory/${rootName}`, `/sys/fs/cgroup/${rootName}`];
  const left: string[] = [];
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const inst of fs.readdirSync(root, { withFileTypes: true })) {
      if (!inst.isDirectory()) continue;
      for (const run of fs.readdirSync(`${root}/${inst.name}`, { withFileTypes: true })) {
        if (run.isDirectory()) left.push(`${root}/${inst.name}/${run.name}`);
      }
    }
  }
  return left;
}
