/** The npm piston-client ships no types; this is the part of it the tests use. */
declare module 'piston-client' {
  export interface PistonClient {
    runtimes(): Promise<any>;
    execute(language: string, code: string, config?: Record<string, unknown>): Promise<any>;
    execute(config: Record<string, unknown>): Promise<any>;
  }
  export default function piston(options?: { server?: string }): PistonClient;
}
