import { Redis } from 'ioredis';
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { logConnectionErrors } from './redis.provider.js';

const url = inject('redisUrl');

/** A TCP proxy to the real Redis that the test can take down and bring back on the same port. */
class Outage {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async up(): Promise<void> {
    const target = new URL(url!);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((ok) => this.server!.listen(this.port, '127.0.0.1', ok));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((ok) => this.server?.close(ok));
    this.server = null;
  }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe.skipIf(!url)('logConnectionErrors (real Redis behind a proxy)', () => {
  const outage = new Outage();
  afterEach(() => outage.down());

  it('logs an outage once, not every retry, says when the connection is back, and keeps stderr quiet', async () => {
    await outage.up();
    const stderr = vi.spyOn(console, 'error');
    const lines: string[] = [];
    const client = new Redis({ port: outage.port, host: '127.0.0.1', retryStrategy: () => 20, maxRetriesPerRequest: 0 });
    logConnectionErrors(client, { warn: (m: string) => lines.push(`warn ${m}`), log: (m: string) => lines.push(`log ${m}`) }, 'test connection');
    try {
      expect(await client.ping()).toBe('PONG');
      let retries = 0;
      client.on('reconnecting', () => retries++);
      await outage.down();
      await until(() => retries >= 10);
      expect(retries).toBeGreaterThanOrEqual(10);
      const warnings = lines.filter((l) => l.startsWith('warn test connection: '));
      // The cut itself may show as a reset before the refused retries: each said once.
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      expect(warnings.length).toBeLessThanOrEqual(2);
      expect(new Set(warnings).size).toBe(warnings.length);
      expect(warnings.some((w) => /ECONNREFUSED/.test(w))).toBe(true);

      await outage.up();
      await until(() => lines.includes('log test connection: connected again'));
      expect(await client.ping()).toBe('PONG');
      expect(lines.filter((l) => l.startsWith('log '))).toEqual(['log test connection: connected again']);
      expect(stderr.mock.calls.flat().join(' ')).not.toMatch(/Unhandled error event/);
    } finally {
      stderr.mockRestore();
      client.disconnect();
    }
  });
});
