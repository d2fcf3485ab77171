import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.js';
import { CATALOG, LanguageRegistry, type LanguageSpec } from '../languages/index.js';
import { ArtefactCache, Judge } from '../judge/index.js';
import type { Logger } from '../log/logger.js';
import { BoxFactory, BwrapSandbox, SlotPool, ZygoteSandbox, createCgroupDriver, prepareHost, type Sandbox } from '../sandbox/index.js';

const DIST_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NATIVE_DIR = path.join(DIST_ROOT, 'native');

/** Everything needed to judge submissions on this host: the judge and the languages it runs. */
export interface JudgeRuntime {
  readonly judge: Judge;
  readonly languages: LanguageRegistry;
  close(): Promise<void>;
}

export interface RuntimeHooks {
  /** Told whether each compilation came from the artefact cache. */
  readonly onCompile?: (cached: boolean) => void;
}

export async function createJudgeRuntime(config: Config, log: Logger, specs: readonly LanguageSpec[] = CATALOG, hooks: RuntimeHooks = {}): Promise<JudgeRuntime> {
  const cgroups = createCgroupDriver(config.cgroupVersion, config.cgroupRoot);
  await cgroups.init();
  const host = prepareHost({ sandboxDir: config.sandboxDir, nativeDir: NATIVE_DIR, tmpSizeKb: config.tmpSizeKb });
  const boxes = new BoxFactory(path.join(config.sandboxDir, 'boxes'), { sizeKb: config.boxSpaceKb, inodes: config.boxInodes });
  boxes.init();
  const slots = new SlotPool(config.slots, config.sandboxUidBase, path.join(config.sandboxDir, 'cache'));
  const sandbox: Sandbox =
    config.sandboxMode === 'warm'
      ? new ZygoteSandbox({
          host,
          cgroups,
          slotBoxesDir: (slot) => boxes.slotDir(slot),
          slotCacheDir: (slot) => slots.slotCacheRoot(slot),
          onLog: (slot, line) => log.warn({ slot: slot.index }, `zygote: ${line}`),
          onError: (err) => log.error({ err }, 'cleanup after a run failed'),
        })
      : new BwrapSandbox(host, cgroups, (err) => log.error({ err }, 'cleanup after a run failed'));
  const compileLimits = {
    cpuTimeMs: config.compileLimits.cpuTimeMs.default,
    wallTimeMs: config.compileLimits.wallTimeMs.default,
    memoryKb: config.compileLimits.memoryKb.default,
  };
  const languages = await LanguageRegistry.probe(specs, {
    sandbox,
    slots,
    boxes,
    limits: { ...compileLimits, processes: 256, outputKb: 64, fileSizeKb: 1024, stackKb: 8192 },
    log,
  });
  log.info({ cgroup: cgroups.version, slots: config.slots, mode: config.sandboxMode }, 'sandbox ready');
  const artefacts = config.artefactCacheMb > 0 ? new ArtefactCache(path.join(config.sandboxDir, 'artefacts'), config.artefactCacheMb * 1024 * 1024) : undefined;
  const judge = new Judge({ sandbox, slots, boxes, languages, compileLimits, artefacts, onCompile: hooks.onCompile });
  return {
    judge,
    languages,
    async close() {
      await sandbox.close?.();
      await boxes.close();
      artefacts?.close();
      await cgroups.close();
    },
  };
}
