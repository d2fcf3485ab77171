/**
 * Classic BPF, as seccomp takes it: 8 bytes per instruction, `u16 code, u8 jt, u8 jf, u32 k`,
 * in the host's byte order (little endian on x86_64 and arm64). No native addon is needed.
 */
export interface Instruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

const BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;
const BPF_JMP = 0x05;
const BPF_JEQ = 0x10;
const BPF_JGE = 0x30;
const BPF_JSET = 0x40;
const BPF_RET_K = 0x06;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const seccompRetErrno = (errno: number): number => 0x00050000 | (errno & 0xffff);

/** Offsets into struct seccomp_data. */
export const DATA_NR = 0;
export const DATA_ARCH = 4;
/** Low 32 bits of argument i (little endian). */
export const dataArgLow = (i: number): number => 16 + 8 * i;

export const load = (offset: number): Instruction => ({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: offset });
export const ret = (value: number): Instruction => ({ code: BPF_RET_K, jt: 0, jf: 0, k: value >>> 0 });

function jump(op: number, k: number, jt: number, jf: number): Instruction {
  if (jt < 0 || jt > 255 || jf < 0 || jf > 255) throw new RangeError(`BPF jump offset out of range: ${jt}/${jf}`);
  return { code: BPF_JMP | op, jt, jf, k: k >>> 0 };
}
export const jeq = (k: number, jt: number, jf: number): Instruction => jump(BPF_JEQ, k, jt, jf);
export const jge = (k: number, jt: number, jf: number): Instruction => jump(BPF_JGE, k, jt, jf);
export const jset = (k: number, jt: number, jf: number): Instruction => jump(BPF_JSET, k, jt, jf);

export function assemble(program: readonly Instruction[]): Buffer {
  if (program.length > 4096) throw new RangeError('seccomp programs are limited to 4096 instructions');
  const buf = Buffer.alloc(program.length * 8);
  program.forEach((ins, i) => {
    buf.writeUInt16LE(ins.code, i * 8);
    buf.writeUInt8(ins.jt, i * 8 + 2);
    buf.writeUInt8(ins.jf, i * 8 + 3);
    buf.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
  });
  return buf;
}
