import type { Language, LanguageRegistry, StepContext } from '../../languages/index.js';

/**
 * Judge0 language ids and the catalog language each one runs. Clients hard-code these ids, and
 * the official SDK resolves its aliases through /about's version: for "1.13.1" C is 50 and C++ is
 * 52, so every GCC id of 1.13.1 is kept (48-50, 52-54: one compiler here), plus the ids the hosted
 * 1.14 uses for the same languages. The first id of a language is the one shown for submissions
 * made through the native API.
 */
const JUDGE0_IDS: Readonly<Record<string, readonly number[]>> = {
  bash: [46],
  c: [50, 48, 49, 103],
  cpp: [54, 52, 53, 105],
  go: [60, 107],
  java: [62, 91],
  javascript: [63, 102],
  python: [71, 113],
  rust: [73, 108],
  typescript: [74, 101],
};

/** How Judge0 names a language: the toolchain in parentheses, with its version. */
const LABELS: Readonly<Record<string, (version: string) => string>> = {
  bash: (v) => `Bash (${v})`,
  c: (v) => `C (GCC ${v})`,
  cpp: (v) => `C++ (GCC ${v})`,
  go: (v) => `Go (${v})`,
  java: (v) => `Java (OpenJDK ${v})`,
  javascript: (v) => `JavaScript (Node.js ${v})`,
  python: (v) => `Python (${v})`,
  rust: (v) => `Rust (${v})`,
  typescript: (v) => `TypeScript (${v})`,
};

export interface Judge0Language {
  readonly id: number;
  readonly name: string;
  readonly language: Language;
}

export interface Judge0LanguageDetail {
  readonly id: number;
  readonly name: string;
  readonly is_archived: boolean;
  readonly source_file: string;
  readonly compile_cmd: string | null;
  readonly run_cmd: string;
}

/** Judge0's view of the languages this server can run right now (the registry may change). */
export class Judge0Languages {
  constructor(
    private readonly registry: LanguageRegistry,
    private readonly memoryKb: number,
  ) {}

  /** Every Judge0 id of an available language, ordered as Judge0 orders them: by name. */
  list(): Judge0Language[] {
    const out: Judge0Language[] = [];
    for (const language of this.registry.list()) {
      for (const id of JUDGE0_IDS[language.id] ?? []) out.push({ id, name: this.nameOf(language), language });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
  }

  /** The language behind a Judge0 id, or null when the id is unknown or its toolchain is missing. */
  byId(id: number): Judge0Language | null {
    for (const [languageId, ids] of Object.entries(JUDGE0_IDS)) {
      if (ids.includes(id) && this.registry.has(languageId)) {
        const language = this.registry.get(languageId);
        return { id, name: this.nameOf(language), language };
      }
    }
    return null;
  }

  /** The Judge0 id and name shown for a submission: the id it was made with, else the language's first. */
  forSubmission(languageId: string, judge0Id: number | undefined): { id: number; name: string } {
    const ids = JUDGE0_IDS[languageId] ?? [];
    const id = judge0Id !== undefined && ids.includes(judge0Id) ? judge0Id : ids[0];
    const name = this.registry.has(languageId) ? this.nameOf(this.registry.get(languageId)) : languageId;
    return { id: id ?? 0, name };
  }

  /** GET /languages/:id: the commands are ours, shown as the argument vectors they really are. */
  detail(entry: Judge0Language): Judge0LanguageDetail {
    const { spec, tools } = entry.language;
    const mainFile = spec.mainFileName('');
    // In an API replica the tools are not resolved locally; name each by its first candidate path.
    const resolved = Object.fromEntries(Object.entries(spec.tools).map(([name, paths]) => [name, tools[name] ?? paths[0]]));
    const context: StepContext = {
      tools: resolved,
      mainFile,
      sourceFiles: [mainFile],
      compileOptions: [],
      args: [],
      entry: spec.entry?.(mainFile) ?? mainFile,
      memoryKb: this.memoryKb,
    };
    const compile = spec.compile?.({ ...context, compileOptions: ['%s'] });
    return {
      id: entry.id,
      name: entry.name,
      is_archived: false,
      source_file: mainFile,
      compile_cmd: compile ? compile.argv.join(' ') : null,
      run_cmd: spec.run(context).argv.join(' '),
    };
  }

  private nameOf(language: Language): string {
    return (LABELS[language.id] ?? ((v: string) => `${language.name} (${v})`))(language.version);
  }
}
