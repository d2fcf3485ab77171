import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** Decides the status (and headers) of each request, by its 0-based number on its path. */
export type Respond = (req: ReceivedRequest, nth: number) => { status: number; headers?: Record<string, string> } | 'hang';

/** A real HTTP server on 127.0.0.1 that records every request it gets: a callback's receiver. */
export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived on `path`. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(respond: Respond = () => ({ status: 200 })): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const got = { method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const nth = requests.filter((r) => r.path === path).length;
      requests.push(got);
      for (const wake of [...waiters]) wake();
      const answer = respond(got, nth);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    waitFor(path, count, timeoutMs = 30_000) {
      const match = (): ReceivedRequest[] => requests.filter((r) => r.path === path);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (match().length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(match());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${count} requests on ${path} not received within ${timeoutMs} ms; got ${match().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
