import type { LanguageSpec, StepContext } from './Language.js';

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

const fixed = (name: string) => () => name;

/** Java needs the file named after its public class; any class name is accepted. */
function javaPublicClass(source: string): string | null {
  const m = /^\s*public\s+(?:(?:final|abstract|strictfp)\s+)*class\s+([A-Za-z_$][A-Za-z0-9_$]*)/m.exec(source);
  return m ? m[1] : null;
}

const python: LanguageSpec = {
  id: 'python',
  name: 'Python',
  extension: '.py',
  tools: { python: ['/usr/bin/python3'] },
  version: { argv: (t) => [t.python, '--version'], pattern: /Python (\S+)/ },
  mainFileName: fixed('main.py'),
  // -B: no .pyc files written into the box; -u: output is not lost in a buffer when killed.
  run: (c) => ({ argv: [c.tools.python, '-B', '-u', c.mainFile, ...c.args] }),
  outOfMemoryPattern: /^MemoryError/m,
};

const javascript: LanguageSpec = {
  id: 'javascript',
  name: 'JavaScript (Node.js)',
  extension: '.js',
  tools: { node: ['/usr/bin/node', '/usr/local/bin/node'] },
  version: { argv: (t) => [t.node, '--version'], pattern: /v(\S+)/ },
  mainFileName: fixed('main.js'),
  run: (c) => ({ argv: [c.tools.node, c.mainFile, ...c.args] }),
  outOfMemoryPattern: /JavaScript heap out of memory/,
};

const typescript: LanguageSpec = {
  id: 'typescript',
  name: 'TypeScript',
  extension: '.ts',
  tools: {
    node: ['/usr/bin/node', '/usr/local/bin/node'],
    tsc: ['/usr/lib/node_modules/typescript/bin/tsc', '/usr/local/lib/node_modules/typescript/bin/tsc'],
    types: ['/usr/lib/node_modules/@types', '/usr/local/lib/node_modules/@types'],
  },
  version: { argv: (t) => [t.node, t.tsc, '--version'], pattern: /Version (\S+)/ },
  mainFileName: fixed('main.ts'),
  compile: (c) => ({
    argv: [
      c.tools.node, c.tools.tsc,
      '--target', 'ES2022', '--module', 'commonjs', '--esModuleInterop', '--skipLibCheck',
      '--types', 'node', '--typeRoots', c.tools.types, '--pretty', 'false',
      ...c.compileOptions, c.mainFile,
    ],
  }),
  run: (c) => ({ argv: [c.tools.node, c.mainFile.replace(/\.ts$/, '.js'), ...c.args] }),
  outOfMemoryPattern: /JavaScript heap out of memory/,
};

function gccFamily(id: string, name: string, ext: string, tool: string, std: string, extraLibs: string[]): LanguageSpec {
  return {
    id,
    name,
    extension: ext,
    tools: { cc: [`/usr/bin/${tool}`] },
    version: { argv: (t) => [t.cc, '--version'], pattern: /^\S+ \(.*\) (\S+)/m },
    mainFileName: fixed(`main${ext}`),
    compile: (c) => ({ argv: [c.tools.cc, `-std=${std}`, '-O2', '-pipe', ...c.compileOptions, '-o', 'main', ...c.sourceFiles, ...extraLibs] }),
    run: (c) => ({ argv: ['/box/main', ...c.args] }),
  };
}

const java: LanguageSpec = {
  id: 'java',
  name: 'Java (OpenJDK)',
  extension: '.java',
  tools: { javac: ['/usr/bin/javac'], java: ['/usr/bin/java'] },
  version: { argv: (t) => [t.javac, '-version'], pattern: /javac (\S+)/ },
  mainFileName: (source) => `${javaPublicClass(source) ?? 'Main'}.java`,
  entry: (mainFile) => mainFile.replace(/\.java$/, ''),
  // Serial GC and C1 only: a short-lived program starts faster and uses fewer threads.
  compile: (c) => ({
    argv: [c.tools.javac, '-J-XX:+UseSerialGC', '-J-XX:TieredStopAtLevel=1', '-encoding', 'UTF-8', '-d', '.', ...c.compileOptions, ...c.sourceFiles],
  }),
  // The JVM cannot see the cgroup from inside the sandbox: tell it the memory it has, so the
  // heap is sized to the limit and collected before the kernel's OOM killer is reached.
  run: (c) => ({
    argv: [c.tools.java, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-XX:MaxRAM=${c.memoryKb}k`, '-XX:MaxRAMPercentage=70', '-cp', '/box', c.entry, ...c.args],
  }),
  outOfMemoryPattern: /java\.lang\.OutOfMemoryError/,
};

const go: LanguageSpec = {
  id: 'go',
  name: 'Go',
  extension: '.go',
  tools: { go: ['/usr/local/go/bin/go', '/usr/lib/go/bin/go', '/usr/bin/go'] },
  version: { argv: (t) => [t.go, 'version'], pattern: /go version go(\S+)/ },
  mainFileName: fixed('main.go'),
  compile: (c: StepContext) => ({
    argv: [c.tools.go, 'build', '-o', 'main', ...c.compileOptions, ...c.sourceFiles],
    env: {
      GOCACHE: '/cache/go-build',
      GOPATH: '/tmp/gopath',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      GOFLAGS: '-buildvcs=false',
      PATH: `${c.tools.go.replace(/\/go$/, '')}:${SYSTEM_PATH}`,
    },
    cache: { name: 'go-build', target: '/cache/go-build' },
  }),
  run: (c) => ({ argv: ['/box/main', ...c.args] }),
};

const rust: LanguageSpec = {
  id: 'rust',
  name: 'Rust',
  extension: '.rs',
  tools: { rustc: ['/usr/bin/rustc', '/usr/local/bin/rustc'] },
  version: { argv: (t) => [t.rustc, '--version'], pattern: /rustc (\S+)/ },
  mainFileName: fixed('main.rs'),
  compile: (c) => ({ argv: [c.tools.rustc, '--edition', '2021', '-O', ...c.compileOptions, '-o', 'main', c.mainFile] }),
  run: (c) => ({ argv: ['/box/main', ...c.args] }),
};

const bash: LanguageSpec = {
  id: 'bash',
  name: 'Bash',
  extension: '.sh',
  tools: { bash: ['/usr/bin/bash', '/bin/bash'] },
  version: { argv: (t) => [t.bash, '--version'], pattern: /version (\d[\d.]*)/ },
  mainFileName: fixed('main.sh'),
  run: (c) => ({ argv: [c.tools.bash, c.mainFile, ...c.args] }),
};

export const CATALOG: readonly LanguageSpec[] = [
  python,
  javascript,
  typescript,
  gccFamily('c', 'C (GCC)', '.c', 'gcc', 'gnu17', ['-lm']),
  gccFamily('cpp', 'C++ (GCC)', '.cpp', 'g++', 'gnu++17', []),
  java,
  go,
  rust,
  bash,
];

/** Environment every step starts from; a step's own env is laid over it. */
export const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: SYSTEM_PATH,
  HOME: '/box',
  LANG: 'C.UTF-8',
  TMPDIR: '/tmp',
};
