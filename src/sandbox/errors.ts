import { VerdictError } from '../errors.js';

/** The sandbox could not be built or torn down: our fault, never the submitted program's. */
export class SandboxSetupFailed extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('sandbox_setup_failed', message, { cause });
  }
}

export class CgroupFailed extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('cgroup_failed', message, { cause });
  }
}

/** The host lacks something the sandbox needs (bwrap, root, user namespaces). */
export class SandboxUnavailable extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('sandbox_unavailable', message, { cause });
  }
}
