/**
 * Everything a Verdict process leaves on the host (cgroups, boxes, sockets, cached artefacts)
 * sits in a directory named after the process, `i-<pid>`, so that a later start can tell which
 * of them belonged to a process that died and remove exactly those.
 */
export function instanceDirName(pid: number): string {
  return `i-${pid}`;
}

/** True when a process with this pid exists (owned by anyone). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Of these directory names, the instance directories whose process is gone. */
export function deadInstances(names: readonly string[], self: number = process.pid): string[] {
  return names.filter((name) => {
    const m = /^i-(\d+)$/.exec(name);
    const owner = m ? Number(m[1]) : null;
    return owner !== null && owner !== self && !pidAlive(owner);
  });
}
