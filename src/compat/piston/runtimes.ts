import semver from 'semver';
import type { Language, LanguageRegistry } from '../../languages/index.js';

/** A language as Piston clients know it: its Piston name, aliases and (for shared toolchains) runtime. */
export interface PistonRuntime {
  readonly language: string;
  readonly version: string;
  readonly aliases: readonly string[];
  readonly runtime?: string;
  /** Our language id. */
  readonly id: string;
}

interface PistonName {
  readonly language: string;
  readonly aliases: readonly string[];
  readonly runtime?: string;
}

/**
 * Piston's names and aliases for the languages we run, from its package metadata, so a request
 * written for a Piston server picks the same language here. `runtime` is given where Piston gives
 * it: for languages a shared toolchain package provides (node, gcc).
 */
const PISTON_NAMES: Readonly<Record<string, PistonName>> = {
  python: { language: 'python', aliases: ['py', 'py3', 'python3'] },
  javascript: { language: 'javascript', aliases: ['node-javascript', 'node-js', 'javascript', 'js'], runtime: 'node' },
  typescript: { language: 'typescript', aliases: ['ts', 'node-ts', 'tsc'] },
  c: { language: 'c', aliases: ['gcc'], runtime: 'gcc' },
  cpp: { language: 'c++', aliases: ['cpp', 'g++'], runtime: 'gcc' },
  java: { language: 'java', aliases: [] },
  go: { language: 'go', aliases: ['go', 'golang'] },
  rust: { language: 'rust', aliases: ['rs'] },
  bash: { language: 'bash', aliases: ['sh'] },
};

/**
 * A probed version as strict semver, since Piston clients match versions with semver ranges:
 * "21" becomes "21.0.0", "17.0.9+9" becomes "17.0.9". A version we do not know yet (an API
 * replica before any worker reported) is "0.0.0", which "*" still matches.
 */
function semverOf(probed: string): string {
  return semver.coerce(probed)?.version ?? '0.0.0';
}

function toRuntime(l: Language): PistonRuntime {
  const name = PISTON_NAMES[l.id] ?? { language: l.id, aliases: [] };
  return {
    language: name.language,
    version: semverOf(l.version),
    aliases: name.aliases.includes(l.id) || name.language === l.id ? name.aliases : [...name.aliases, l.id],
    ...(name.runtime ? { runtime: name.runtime } : {}),
    id: l.id,
  };
}

export function listRuntimes(languages: LanguageRegistry): PistonRuntime[] {
  return languages.list().map(toRuntime);
}

/**
 * Piston's lookup: the language by name or alias (exactly, case included) whose version
 * satisfies the range; the newest if several do. Undefined when none does, or the range is not
 * a semver range at all.
 */
export function findRuntime(languages: LanguageRegistry, name: string, range: string): PistonRuntime | undefined {
  return listRuntimes(languages)
    .filter((rt) => (rt.language === name || rt.aliases.includes(name)) && semver.satisfies(rt.version, range))
    .sort((a, b) => semver.rcompare(a.version, b.version))[0];
}

/** What GET /api/v2/runtimes shows of a runtime (our id stays internal). */
export function runtimeView(rt: PistonRuntime) {
  return { language: rt.language, version: rt.version, aliases: [...rt.aliases], ...(rt.runtime ? { runtime: rt.runtime } : {}) };
}
