/**
 * The default comparison of output with expected output: trailing whitespace on each line and
 * trailing blank lines are ignored, everything else must match exactly.
 */
export function outputMatches(actual: Buffer, expected: Buffer): boolean {
  return normalize(actual.toString('latin1')) === normalize(expected.toString('latin1'));
}

function normalize(text: string): string {
  // latin1 maps bytes 1:1, so this compares bytes and never fails on invalid UTF-8.
  const lines = text.replace(/\r\n/g, '\n').split('\n').map((l) => l.replace(/[ \t\r\f\v]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
