import fs from 'node:fs';
import path from 'node:path';
import { SANDBOX_UID, type HostLayout } from './bwrap/args.js';
import { detectHostLayout } from './bwrap/hostLayout.js';
import { SandboxUnavailable } from './errors.js';
import { buildSeccompFilter } from './seccomp/index.js';

const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap'];

/** What every sandbox adapter needs from the host, checked and laid out once at start. */
export interface SandboxHost {
  readonly sandboxDir: string;
  readonly bwrapPath: string;
  /** verdict-init: the first program of a cold sandbox. */
  readonly helperPath: string;
  /** verdict-zygote: the long-lived per-slot process of a warm sandbox. */
  readonly zygotePath: string;
  /** passwd and group files shown inside, naming uid 1000 "box". */
  readonly etcDir: string;
  readonly layout: HostLayout;
  readonly seccompFilter: Buffer;
  readonly tmpSizeKb: number;
}

export interface HostOptions {
  readonly sandboxDir: string;
  /** Directory of the compiled helpers (verdict-init, verdict-zygote) shipped with the build. */
  readonly nativeDir: string;
  readonly tmpSizeKb: number;
}

export function prepareHost(opts: HostOptions): SandboxHost {
  if (process.getuid?.() !== 0) {
    throw new SandboxUnavailable('Verdict must start as root: it creates cgroups and starts each sandbox as an unprivileged per-slot uid');
  }
  const bwrapPath = BWRAP_CANDIDATES.find((p) => fs.existsSync(p));
  if (!bwrapPath) throw new SandboxUnavailable('bubblewrap (bwrap) is not installed; run `npm start` or `apt-get install bubblewrap`');
  makeSearchableDir(opts.sandboxDir);
  const binDir = path.join(opts.sandboxDir, 'bin');
  makeSearchableDir(binDir);
  // Copied out of the build tree: the slot uids must be able to read them wherever Verdict lives.
  const [helperPath, zygotePath] = ['verdict-init', 'verdict-zygote'].map((name) => {
    const source = path.join(opts.nativeDir, name);
    if (!fs.existsSync(source)) throw new SandboxUnavailable(`the sandbox helper ${source} is missing; run \`npm run build\``);
    const target = path.join(binDir, name);
    const tmp = `${target}.${process.pid}`;
    fs.copyFileSync(source, tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, target);
    return target;
  });
  const etcDir = path.join(opts.sandboxDir, 'etc');
  makeSearchableDir(etcDir);
  writeIfChanged(path.join(etcDir, 'passwd'), `root:x:0:0:root:/root:/usr/sbin/nologin\nbox:x:${SANDBOX_UID}:${SANDBOX_UID}:box:/box:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  writeIfChanged(path.join(etcDir, 'group'), `root:x:0:\nbox:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`);
  return {
    sandboxDir: opts.sandboxDir,
    bwrapPath,
    helperPath,
    zygotePath,
    etcDir,
    layout: detectHostLayout(),
    seccompFilter: buildSeccompFilter(),
    tmpSizeKb: opts.tmpSizeKb,
  };
}

/** Root-owned, 0711: slot uids may pass through to their own box but not list others. */
export function makeSearchableDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
}

function writeIfChanged(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return;
  } catch {
    /* absent */
  }
  fs.writeFileSync(file, content, { mode: 0o644 });
}
