import { ZygoteSandbox } from '../../../src/sandbox/index.js';
import { sandboxContract } from '../contract.js';

sandboxContract('warm sandbox (a zygote per slot)', 2_910_000, ({ host, cgroups, boxes, slots, onError }) =>
  new ZygoteSandbox({ host, cgroups, slotBoxesDir: (slot) => boxes.slotDir(slot), slotCacheDir: (slot) => slots.slotCacheRoot(slot), onLog: () => undefined, onError }),
);
