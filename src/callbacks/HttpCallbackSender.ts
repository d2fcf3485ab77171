import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './address.js';
import { CallbackDestinationRefused } from './errors.js';
import type { CallbackRequest, CallbackSender } from './types.js';
import { hostOf } from './url.js';

export interface HttpCallbackSenderOptions {
  /** Let callbacks reach loopback and private networks: for tests and closed deployments only. */
  readonly allowPrivate: boolean;
  /** From the start of the attempt to the response's status line. */
  readonly timeoutMs: number;
  /** How names resolve; the system resolver unless a test needs a name to lie. */
  readonly lookup?: typeof dns.lookup;
}

const USER_AGENT = 'Verdict-Callback/1';

/**
 * One callback attempt over node:http(s). The address check happens inside the socket's own
 * name lookup, so the address judged public is the very address connected to: a name that
 * answers with a public address to the check and a private one to the connection (DNS
 * rebinding) has no second lookup to exploit. Host header and TLS server name stay the URL's
 * host. A fresh connection per attempt (no agent), and redirects are never followed: a 3xx is
 * an unsuccessful attempt like any other non-2xx.
 */
export class HttpCallbackSender implements CallbackSender {
  private readonly guardedLookup: LookupFunction;

  constructor(private readonly opts: HttpCallbackSenderOptions) {
    this.guardedLookup = guardLookup(opts.lookup ?? dns.lookup);
  }

  send(url: string, request: CallbackRequest): Promise<number> {
    const target = new URL(url);
    const host = hostOf(target);
    const { allowPrivate, timeoutMs } = this.opts;
    // An IP literal is connected to without any lookup, so it is judged here.
    if (!allowPrivate && isIP(host) && !isPublicAddress(host)) {
      return Promise.reject(new CallbackDestinationRefused(`${host} is not a public address`));
    }
    const body = Buffer.from(JSON.stringify(request.body));
    return new Promise<number>((resolve, reject) => {
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request({
        method: request.method,
        hostname: host,
        port: target.port || undefined,
        path: `${target.pathname}${target.search}`,
        headers: { 'content-type': 'application/json', 'content-length': body.length, 'user-agent': USER_AGENT },
        agent: false,
        ...(allowPrivate ? {} : { lookup: this.guardedLookup }),
      });
      const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      if (!allowPrivate) {
        // A second look at the connected peer, whatever path led to it.
        req.on('socket', (socket) =>
          socket.once('connect', () => {
            const peer = socket.remoteAddress ?? '';
            if (!isPublicAddress(peer)) req.destroy(new CallbackDestinationRefused(`connected to ${peer}, which is not a public address`));
          }),
        );
      }
      req.on('response', (res) => {
        // The receiver's answer carries nothing we use; read it so its connection ends cleanly,
        // within what is left of the attempt's time.
        res.resume();
        res.on('error', () => undefined);
        res.on('close', () => clearTimeout(timer));
        resolve(res.statusCode ?? 0);
      });
      req.end(body);
    });
  }
}

/** A socket lookup that answers with the public addresses of a name, or fails if it has none. */
function guardLookup(lookup: typeof dns.lookup): LookupFunction {
  const guarded = (hostname: string, options: dns.LookupOptions, callback: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void): void => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) {
        const seen = addresses.map((a) => a.address).join(', ');
        return callback(new CallbackDestinationRefused(`${hostname} resolves to ${seen || 'nothing'}, no public address`), '', 0);
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
  return guarded as unknown as LookupFunction;
}
