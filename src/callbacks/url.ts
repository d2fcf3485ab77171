import dns from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from './address.js';
import { CallbackUrlRefused } from './errors.js';

/** Longer than any real webhook address, short enough that a URL is never a payload of its own. */
export const CALLBACK_URL_MAX_LENGTH = 2048;

/** Every address a host name resolves to. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (hostname) => (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface CallbackUrlPolicyOptions {
  /** Let callbacks reach loopback and private networks: for tests and closed deployments only. */
  readonly allowPrivate: boolean;
  readonly resolve?: ResolveHost;
  /** A client waits for its 201 while the name resolves; a dead resolver must not hold it. */
  readonly resolveTimeoutMs?: number;
}

/** The host of a URL as a socket takes it: an IPv6 literal without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Decides, when a submission is accepted, whether its callback URL may be called: http or https,
 * no credentials, a bounded length and, unless private destinations are allowed, a host whose
 * every address is public. Delivery checks the address again (see HttpCallbackSender), because
 * a name may resolve differently by then.
 */
export class CallbackUrlPolicy {
  constructor(private readonly opts: CallbackUrlPolicyOptions) {}

  async check(text: string, field = 'callback_url'): Promise<URL> {
    const refuse = (why: string): never => {
      throw new CallbackUrlRefused(`${field} ${why}`, field);
    };
    if (text.length > CALLBACK_URL_MAX_LENGTH) refuse(`is ${text.length} characters long; at most ${CALLBACK_URL_MAX_LENGTH} are allowed`);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return refuse(`${JSON.stringify(text.slice(0, 100))} is not an absolute URL; send e.g. https://example.com/hook`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`must be an http or https URL; got ${url.protocol.replace(/:$/, '')}`);
    if (url.username || url.password) refuse('must not carry a user name or password; put a secret token in its path or query instead');
    const host = hostOf(url);
    if (host === '') refuse('has no host');
    if (this.opts.allowPrivate) return url;
    const addresses = isIP(host) ? [host] : await this.resolve(host, refuse);
    const blocked = addresses.find((a) => !isPublicAddress(a));
    if (blocked !== undefined) {
      refuse(`points to ${blocked === host ? '' : `${host}, which resolves to `}${blocked}, a loopback, private or otherwise non-public address; callbacks only go to public addresses`);
    }
    return url;
  }

  private async resolve(host: string, refuse: (why: string) => never): Promise<string[]> {
    const timeoutMs = this.opts.resolveTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const addresses = await Promise.race([
        (this.opts.resolve ?? resolveWithDns)(host),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (addresses.length === 0) refuse(`has a host, ${host}, with no address`);
      return addresses;
    } catch (err) {
      if (err instanceof CallbackUrlRefused) throw err;
      return refuse(`has a host, ${host}, that does not resolve (${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  }
}
