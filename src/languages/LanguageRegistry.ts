import fs from 'node:fs';
import type { Language, LanguageSpec } from './Language.js';
import { BASE_ENV } from './catalog.js';
import { LanguageNotFound } from './errors.js';
import type { BoxFactory, Sandbox, SandboxLimits, SlotPool } from '../sandbox/index.js';

export interface ProbeDeps {
  readonly sandbox: Sandbox;
  readonly slots: SlotPool;
  readonly boxes: BoxFactory;
  readonly limits: SandboxLimits;
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** A language that is listed in the catalog but cannot run here, and why. */
export interface Unavailable {
  readonly id: string;
  readonly reason: string;
}

/**
 * The languages this host can run. Built at start by asking each toolchain its version from
 * inside the sandbox: that proves the toolchain is visible and runnable by a slot uid, and the
 * versions reported are the real ones, never hard-coded. An API replica, which runs no
 * toolchain, keeps its list from what the workers reported instead (replaceAll).
 */
export class LanguageRegistry {
  private readonly byId: Map<string, Language>;

  constructor(
    languages: readonly Language[],
    readonly unavailable: readonly Unavailable[] = [],
  ) {
    this.byId = new Map(languages.map((l) => [l.id, l]));
  }

  static async probe(specs: readonly LanguageSpec[], deps: ProbeDeps): Promise<LanguageRegistry> {
    const results = await Promise.all(specs.map((spec) => probeOne(spec, deps)));
    const found = results.filter((r): r is Language => 'spec' in r);
    const missing = results.filter((r): r is Unavailable => 'reason' in r);
    for (const m of missing) deps.log.warn({ language: m.id, reason: m.reason }, 'language unavailable');
    deps.log.info({ languages: found.map((l) => `${l.id} ${l.version}`) }, 'languages probed');
    return new LanguageRegistry(found, missing);
  }

  /** Replaces the whole set (an API replica learning what the workers report). */
  replaceAll(languages: readonly Language[]): void {
    this.byId.clear();
    for (const l of languages) this.byId.set(l.id, l);
  }

  list(): Language[] {
    return [...this.byId.values()];
  }

  get(id: string): Language {
    const lang = this.byId.get(id);
    if (!lang) throw new LanguageNotFound(id, [...this.byId.keys()]);
    return lang;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }
}

function resolveTools(spec: LanguageSpec): Record<string, string> | string {
  const tools: Record<string, string> = {};
  for (const [name, candidates] of Object.entries(spec.tools)) {
    const found = candidates.find((p) => fs.existsSync(p));
    if (!found) return `${name} not found at ${candidates.join(' or ')}`;
    tools[name] = found;
  }
  return tools;
}

async function probeOne(spec: LanguageSpec, deps: ProbeDeps): Promise<Language | Unavailable> {
  const tools = resolveTools(spec);
  if (typeof tools === 'string') return { id: spec.id, reason: tools };
  try {
    return await deps.slots.with(async (slot) => {
      const box = await deps.boxes.create(slot, []);
      try {
        const out = await deps.sandbox.run({
          slot,
          boxDir: box.dir,
          argv: spec.version.argv(tools),
          env: BASE_ENV,
          stdin: Buffer.alloc(0),
          limits: deps.limits,
        });
        const text = `${out.stdout.toString('utf8')}\n${out.stderr.toString('utf8')}`;
        const m = spec.version.pattern.exec(text);
        if (out.exitCode !== 0 || !m) {
          return { id: spec.id, reason: `version probe failed (exit ${out.exitCode ?? out.signal}): ${text.trim().slice(0, 300)}` };
        }
        return { spec, id: spec.id, name: spec.name, version: m[1], tools, compiled: spec.compile !== undefined };
      } finally {
        await box.remove();
      }
    });
  } catch (err) {
    return { id: spec.id, reason: `version probe could not run: ${(err as Error).message}` };
  }
}
