import { ZygoteSandbox } from '../../../src/sandbox/index.js';
import { sandboxContract } from '../contract.js';

sandboxContract('warm sandbox (a zygote per slot)', 2_910_000, ({ host, cgroups, boxes, slots }) =>
  new ZygoteSandbox({ host, cgroups, boxesDir: boxes.instanceDir, slotCacheDir: (slot) => slots.slotCacheRoot(slot), onLog: () => undefined }),
);
