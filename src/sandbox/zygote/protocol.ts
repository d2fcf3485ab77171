/**
 * The zygote's wire protocol (see native/verdict-zygote.c). Commands: u32 little-endian length,
 * then NUL-terminated fields. Events: one text line each.
 */
export function encodeCommand(fields: readonly string[]): Buffer {
  const body = Buffer.concat(fields.map((f) => Buffer.from(`${f}\0`, 'utf8')));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body]);
}

export type ZygoteEvent =
  | { readonly kind: 'ready'; readonly pid: number }
  /** A pre-started run init, set up and waiting: `run` is the id of the run it will carry. */
  | { readonly kind: 'spare'; readonly run: string; readonly pid: number }
  /** `alone`: no process of the run is left but its init, which exits next. */
  | { readonly kind: 'status'; readonly run: string; readonly exitCode: number | null; readonly signal: number | null; readonly alone: boolean }
  | { readonly kind: 'error'; readonly run: string; readonly message: string }
  | { readonly kind: 'reaped'; readonly run: string };

export function parseEvent(line: string): ZygoteEvent | null {
  const [kind, run, ...rest] = line.split(' ');
  switch (kind) {
    case 'ready':
      return { kind, pid: Number(rest[0]) };
    case 'spare':
      return { kind, run, pid: Number(rest[0]) };
    case 'status':
      return rest[0] === 'exit'
        ? { kind, run, exitCode: Number(rest[1]), signal: null, alone: rest[2] === 'alone' }
        : { kind, run, exitCode: null, signal: Number(rest[1]), alone: rest[2] === 'alone' };
    case 'error':
      return { kind, run, message: rest.join(' ') };
    case 'reaped':
      return { kind, run };
    default:
      return null;
  }
}
