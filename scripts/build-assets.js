// Build steps tsc does not do: compile the sandbox helper and copy SQL migrations next to the
// compiled code that reads them. Skips work that is already up to date.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const helperSrc = path.join(root, 'native/verdict-init.c');
const helperOut = path.join(root, 'dist/native/verdict-init');

function newer(src, out) {
  try {
    return fs.statSync(src).mtimeMs > fs.statSync(out).mtimeMs;
  } catch {
    return true;
  }
}

fs.mkdirSync(path.dirname(helperOut), { recursive: true });
if (newer(helperSrc, helperOut)) {
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', helperOut, helperSrc], { stdio: 'inherit' });
}

for (const backend of ['sqlite']) {
  const from = path.join(root, 'src/store', backend, 'migrations');
  const to = path.join(root, 'dist/src/store', backend, 'migrations');
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}
