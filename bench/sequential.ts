import { type Agent, request } from 'node:http';

/**
 * One POST on a kept-alive connection: ms until the whole answer has arrived (`end`) or until its
 * first body byte (`first-byte`, for streams), and whether it was a 200.
 */
export function timedPost(agent: Agent, url: string, headers: Record<string, string>, body: string, until: 'end' | 'first-byte'): Promise<{ ms: number; ok: boolean }> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let firstByte = 0;
      res.on('data', () => {
        if (firstByte === 0) firstByte = performance.now() - started;
      });
      res.on('end', () => ok({ ms: until === 'end' ? performance.now() - started : firstByte, ok: res.statusCode === 200 }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** The value at fraction p (0–1) of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}
