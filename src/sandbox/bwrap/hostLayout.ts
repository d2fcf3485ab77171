import fs from 'node:fs';
import type { HostLayout } from './args.js';

/** Top-level directories that hold programs and libraries on Debian-like hosts. */
const SYSTEM_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The parts of /etc that toolchains read. Nothing else of /etc is visible: it holds the host's
 * accounts, keys and service configuration.
 */
const ETC_ENTRIES = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime'];

/** Reads the host once at start: which system dirs are symlinks (merged /usr) and which exist. */
export function detectHostLayout(): HostLayout {
  const symlinks: Array<{ path: string; target: string }> = [];
  const readOnly: string[] = ['/usr'];
  for (const dir of SYSTEM_DIRS) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) symlinks.push({ path: dir, target: fs.readlinkSync(dir) });
    else if (st.isDirectory()) readOnly.push(dir);
  }
  const javaEtc = fs.readdirSync('/etc').filter((n) => n.startsWith('java-')).map((n) => `/etc/${n}`);
  for (const p of [...ETC_ENTRIES, ...javaEtc]) if (fs.existsSync(p)) readOnly.push(p);
  return { symlinks, readOnly };
}
