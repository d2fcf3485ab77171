/**
 * The base of every error Verdict raises on purpose. `code` is stable: HTTP maps it to a status
 * in one place (api/errors.ts) and clients may branch on it. The message is for a person and
 * says what to fix; it never carries a stack trace to a client.
 */
export class VerdictError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
