import type { LoggerService } from '@nestjs/common';
import { type MockUpstream, startMockUpstream } from '@tiergate/mock-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { buildRelayChain, chat, type RelayChain } from './support/relay-chain.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value, or fails after `ms`. */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await sleep(100);
  }
}

/** Keeps every line the app logs, at every level, for the leak check. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private keep(level: string, args: unknown[]): void {
    this.lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a))).join(' ')}`);
  }
  log(...args: unknown[]) { this.keep('log', args); }
  error(...args: unknown[]) { this.keep('error', args); }
  warn(...args: unknown[]) { this.keep('warn', args); }
  debug(...args: unknown[]) { this.keep('debug', args); }
  verbose(...args: unknown[]) { this.keep('verbose', args); }
  fatal(...args: unknown[]) { this.keep('fatal', args); }
}

/**
 * Health: failures within a window take a channel out (not one failure), an auth error takes a
 * key out at once, the periodic probe puts them back when the upstream answers again, and every
 * change shows in the channel's events over the API.
 */
describe('channel and key health', () => {
  let t: TestApp;
  let api: Api;
  let mock: MockUpstream;
  let chain: RelayChain;
  const logger = new CapturingLogger();
  /** Every upstream key this spec hands to a channel. */
  const secrets = new Set<string>();

  const channel = async (id: string) => (await api.call('GET', `/api/v1/channels/${id}`, { token: chain.tokens.master })).body;
  const events = async (id: string) => (await api.call('GET', `/api/v1/channels/${id}/events`, { token: chain.tokens.master })).body.items as { keyId: string | null; from: string; to: string; reason: string }[];
  const createChannel = async (body: Record<string, unknown>) => {
    for (const key of body.keys as string[]) secrets.add(key);
    const res = await api.call('POST', '/api/v1/channels', { token: chain.tokens.master, body: { provider: 'openai', baseUrl: `${mock.url}/v1`, ...body } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; keys: { id: string; masked: string }[] };
  };

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0, settings: { revokedKeys: ['sk-health-revoked-RVKD'] } });
    t = await startTestApp({ HEALTH_FAILURES: '3', HEALTH_WINDOW_SECONDS: '60', HEALTH_PROBE_SECONDS: '1' }, { logger });
    api = new Api(t.baseUrl);
    chain = await buildRelayChain(api, ['gpt-window', 'gpt-keyauth', 'gpt-manual'], 1_000_000_000n);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('disables a channel on the N-th failure within the window, not before, and a probe re-enables it', async () => {
    const broken = await createChannel({ name: 'broken', keys: ['sk-health-broken-1'], models: ['gpt-window'], modelMapping: { 'gpt-window': 'mock-gpt@fail=503' }, priority: 10 });
    await createChannel({ name: 'backup', keys: ['sk-health-backup-1'], models: ['gpt-window'] });
    const body = { model: 'gpt-window', messages: [{ role: 'user', content: 'health check' }], max_tokens: 3 };

    for (let i = 0; i < 2; i++) expect((await chat(t.baseUrl, chain.apiKey, body)).status).toBe(200);
    await sleep(300);
    expect((await channel(broken.id)).status).toBe('ENABLED');

    expect((await chat(t.baseUrl, chain.apiKey, body)).status).toBe(200);
    await eventually(async () => ((await channel(broken.id)).status === 'DISABLED_HEALTH' ? true : undefined));
    const disabled = (await events(broken.id)).find((e) => e.to === 'DISABLED_HEALTH');
    expect(disabled).toMatchObject({ keyId: null, from: 'ENABLED' });
    expect(disabled!.reason).toMatch(/^3 failures within 60s, the last: upstream 503/);

    // Out of rotation: the broken channel gets no more traffic.
    const sentToBroken = () => mock.requests.filter((r) => r.path === '/v1/chat/completions' && (r.body as { model: string }).model.startsWith('mock-gpt@fail')).length;
    const before = sentToBroken();
    expect((await chat(t.baseUrl, chain.apiKey, body)).status).toBe(200);

    // Its model list answers, so the probe puts it back.
    await eventually(async () => ((await channel(broken.id)).status === 'ENABLED' ? true : undefined));
    expect(sentToBroken()).toBe(before);
    const back = (await events(broken.id)).find((e) => e.from === 'DISABLED_HEALTH');
    expect(back).toMatchObject({ keyId: null, to: 'ENABLED' });
    expect(back!.reason).toMatch(/^probe succeeded/);
    expect(mock.requests.some((r) => r.method === 'GET' && r.path === '/v1/models' && r.headers.authorization === 'Bearer sk-health-broken-1')).toBe(true);
  });

  it('disables a refused key at once, keeps it out while the probe fails, and re-enables it when it works', async () => {
    const ch = await createChannel({ name: 'two keys', keys: ['sk-health-revoked-RVKD', 'sk-health-good-GOOD'], models: ['gpt-keyauth'], priority: 10 });
    // Keys created together come back in id order: tell them apart by their masked ends.
    const revoked = ch.keys.find((k) => k.masked.endsWith('RVKD'));
    const good = ch.keys.find((k) => k.masked.endsWith('GOOD'));
    const body = { model: 'gpt-keyauth', messages: [{ role: 'user', content: 'which key' }], max_tokens: 3 };
    // The key order is weighted-random; a handful of requests try the revoked key first at least once.
    await eventually(async () => {
      expect((await chat(t.baseUrl, chain.apiKey, body)).status).toBe(200);
      const keys = (await channel(ch.id)).keys as { id: string; status: string }[];
      return keys.find((k) => k.id === revoked!.id)!.status === 'DISABLED_HEALTH' ? true : undefined;
    }, 10_000);
    const view = await channel(ch.id);
    expect(view.status).toBe('ENABLED');
    expect(view.keys.find((k: { id: string }) => k.id === good!.id).status).toBe('ENABLED');
    const event = (await events(ch.id)).find((e) => e.keyId === revoked!.id && e.to === 'DISABLED_HEALTH');
    expect(event!.reason).toMatch(/^upstream 401: key refused/);

    // Still refused upstream: two probe ticks later it is still out.
    await sleep(2500);
    expect((await channel(ch.id)).keys.find((k: { id: string }) => k.id === revoked!.id).status).toBe('DISABLED_HEALTH');

    mock.configure({ revokedKeys: [] });
    await eventually(async () => ((await channel(ch.id)).keys.find((k: { id: string }) => k.id === revoked!.id).status === 'ENABLED' ? true : undefined));
    expect((await events(ch.id)).find((e) => e.keyId === revoked!.id && e.from === 'DISABLED_HEALTH')!.reason).toMatch(/^probe succeeded/);
  });

  it('never probes back a channel switched off by hand', async () => {
    const ch = await createChannel({ name: 'manual', keys: ['sk-health-manual-1'], models: ['gpt-manual'] });
    const off = await api.call('PATCH', `/api/v1/channels/${ch.id}`, { token: chain.tokens.master, body: { status: 'DISABLED_MANUAL' } });
    expect(off.status).toBe(200);
    await sleep(2500);
    expect((await channel(ch.id)).status).toBe('DISABLED_MANUAL');
    expect(mock.requests.some((r) => r.method === 'GET' && r.headers.authorization === 'Bearer sk-health-manual-1')).toBe(false);
  });

  it('never writes a raw upstream key into the database or a log line, failures and probes included', async () => {
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    // The runs above logged disables, re-enables and failed attempts: there is something to search.
    expect(logger.lines.filter((l) => /disabled|re-enabled/.test(l)).length).toBeGreaterThanOrEqual(3);
    const { rows: tables } = await t.db.sql.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    const stored: string[] = [];
    for (const { name } of tables) {
      const { rows } = await t.db.sql.query<{ row: string }>(`SELECT r::text AS row FROM "${name}" r`);
      stored.push(...rows.map((r) => r.row));
    }
    expect(stored.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const secret of secrets) {
      // The key minus its vendor marker and last four, which masking shows on purpose.
      const middle = secret.slice(3, -4);
      if (logger.lines.some((l) => l.includes(middle))) leaks.push(`log: ${secret}`);
      if (stored.some((r) => r.includes(middle))) leaks.push(`database: ${secret}`);
    }
    expect(leaks).toEqual([]);
  });
});
