/** Small JSON-over-HTTP helpers on Node's fetch: the tests speak to a real server. */
export interface Reply<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export async function request<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Polls until the submission is finished or the deadline passes. */
export async function waitFinished(base: string, id: string, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await request('GET', `${base}/v1/submissions/${id}`);
    // 502/503: a part of a cluster is restarting (a fault test); the deadline bounds the wait.
    if (r.status === 502 || r.status === 503) {
      if (Date.now() > deadline) throw new Error(`GET ${id}: still ${r.status} after ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (r.status !== 200) throw new Error(`GET ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    if (r.body.status === 'finished') return r.body;
    if (Date.now() > deadline) throw new Error(`submission ${id} not finished after ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
