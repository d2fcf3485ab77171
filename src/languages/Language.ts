/**
 * A language is data: how to find its toolchain, how to ask its version, what its main file is
 * called, and the argument vectors of its compile and run steps. Adding a language is adding an
 * entry to catalog.ts. No command ever goes through a shell.
 */
export interface StepContext {
  /** Absolute paths of the tools this language declared, resolved on this host. */
  readonly tools: Readonly<Record<string, string>>;
  readonly mainFile: string;
  /** Every submitted file with this language's extension, main file first. */
  readonly sourceFiles: readonly string[];
  readonly compileOptions: readonly string[];
  readonly args: readonly string[];
  /** What the run step starts when it is not a file: the Java class that holds main(). */
  readonly entry: string;
  readonly memoryKb: number;
}

/** A compiler cache kept per slot between submissions (see SlotPool.cacheDir). */
export interface StepCache {
  readonly name: string;
  /** Where it is mounted inside the sandbox; also passed in `env`. */
  readonly target: string;
}

export interface Step {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cache?: StepCache;
}

export interface LanguageSpec {
  readonly id: string;
  readonly name: string;
  /** File extension of sources, with the dot. */
  readonly extension: string;
  /** Candidate absolute paths per tool; the first that exists is used. */
  readonly tools: Readonly<Record<string, readonly string[]>>;
  readonly version: { readonly argv: (tools: Readonly<Record<string, string>>) => readonly string[]; readonly pattern: RegExp };
  /** The main file's name when the request gives only `source`. */
  mainFileName(source: string): string;
  /** The run step's entry point (file or class) derived from the main file's name. */
  entry?(mainFile: string): string;
  readonly compile?: (ctx: StepContext) => Step;
  readonly run: (ctx: StepContext) => Step;
  /** Text a runtime prints when it runs out of memory it was allowed: judged as a memory limit. */
  readonly outOfMemoryPattern?: RegExp;
}

/** A language whose toolchain was found and answered its version probe on this host. */
export interface Language {
  readonly spec: LanguageSpec;
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly tools: Readonly<Record<string, string>>;
  readonly compiled: boolean;
}
