// Build steps tsc does not do: compile the sandbox helper and copy SQL migrations next to the
// compiled code that reads them. Skips work that is already up to date.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const helpers = ['verdict-init', 'verdict-zygote'];

function newer(src, out) {
  try {
    return fs.statSync(src).mtimeMs > fs.statSync(out).mtimeMs;
  } catch {
    return true;
  }
}

fs.mkdirSync(path.join(root, 'dist/native'), { recursive: true });
for (const name of helpers) {
  const src = path.join(root, 'native', `${name}.c`);
  const out = path.join(root, 'dist/native', name);
  if (newer(src, out)) execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', out, src], { stdio: 'inherit' });
}

for (const backend of ['sqlite', 'postgres']) {
  const from = path.join(root, 'src/store', backend, 'migrations');
  const to = path.join(root, 'dist/src/store', backend, 'migrations');
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}
