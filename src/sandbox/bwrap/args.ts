/**
 * Builds bubblewrap's argument vector. Pure, so the isolation it asks for can be read and
 * unit-tested in one place.
 */
export interface HostLayout {
  /** Top-level entries such as /bin that are symlinks into /usr on merged-/usr hosts. */
  readonly symlinks: ReadonlyArray<{ readonly path: string; readonly target: string }>;
  /** Read-only directories and files bound at the same path. */
  readonly readOnly: readonly string[];
}

export interface BwrapArgsInput {
  readonly layout: HostLayout;
  readonly boxDir: string;
  readonly helperPath: string;
  readonly tmpSizeBytes: number;
  readonly env: Readonly<Record<string, string>>;
  readonly mounts: ReadonlyArray<{ readonly source: string; readonly target: string; readonly writable: boolean }>;
  /** Arguments of the in-sandbox helper, then the program's own argv. */
  readonly command: readonly string[];
  readonly statusFd: number;
  readonly blockFd: number;
  /** fd bwrap reads the seccomp BPF program from; installed right before the helper starts. */
  readonly seccompFd: number;
}

/** Inside the sandbox every run is uid/gid 1000 ("box"), whatever host uid its slot uses. */
export const SANDBOX_UID = 1000;
export const HELPER_TARGET = '/.verdict/init';

export function buildBwrapArgs(input: BwrapArgsInput): string[] {
  const args: string[] = [
    // New user, pid, mount, network, ipc, uts and cgroup namespaces; no way back to the host's.
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_UID),
    '--hostname', 'box',
    // Sandbox dies with the service, so a crashed service leaves no program running.
    '--die-with-parent',
    // setsid(): the program cannot push keystrokes into the service's terminal (TIOCSTI).
    '--new-session',
    '--cap-drop', 'ALL',
    '--clearenv',
  ];
  for (const [key, value] of Object.entries(input.env)) args.push('--setenv', key, value);
  for (const link of input.layout.symlinks) args.push('--symlink', link.target, link.path);
  for (const p of input.layout.readOnly) args.push('--ro-bind', p, p);
  args.push(
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(input.tmpSizeBytes), '--perms', '1777', '--tmpfs', '/tmp',
    '--ro-bind', input.helperPath, HELPER_TARGET,
    '--bind', input.boxDir, '/box',
  );
  for (const m of input.mounts) args.push(m.writable ? '--bind' : '--ro-bind', m.source, m.target);
  args.push(
    // Nothing outside /box, /tmp and /dev is writable, as in the warm sandbox.
    '--remount-ro', '/',
    // The helper is the namespace's init: a program's kill(-1) cannot reach it (init only gets
    // signals it handles), so the exact exit status always comes back. It is the program that
    // must not be init, and it is not: it is the helper's child.
    '--as-pid-1',
    '--chdir', '/box',
    '--seccomp', String(input.seccompFd),
    '--json-status-fd', String(input.statusFd),
    '--block-fd', String(input.blockFd),
    '--',
    HELPER_TARGET,
    ...input.command,
  );
  return args;
}
