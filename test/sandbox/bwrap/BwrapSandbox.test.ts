import { BwrapSandbox } from '../../../src/sandbox/index.js';
import { sandboxContract } from '../contract.js';

sandboxContract('cold sandbox (a bubblewrap per run)', 2_900_000, ({ host, cgroups, onError }) => new BwrapSandbox(host, cgroups, onError));
