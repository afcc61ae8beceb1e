import type { MockUpstream } from '@tiergate/mock-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL, seedDemo } from '../src/demo/demo-seed.js';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('DEMO_SEED', () => {
  let t: TestApp;
  let upstream: MockUpstream;
  let printed = '';

  beforeAll(async () => {
    t = await startTestApp();
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
    try {
      upstream = await seedDemo(t.app);
    } finally {
      process.stdout.write = write;
    }
  });
  afterAll(async () => {
    await upstream?.close();
    await t?.close();
  });

  it('seeds a tree whose user chats offline with the printed key, and is idempotent', async () => {
    const key = /tg-[A-Za-z0-9_-]+/.exec(printed)![0];
    const res = await fetch(`${t.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: DEMO_MODEL, messages: [{ role: 'user', content: 'hello demo' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toMatch(/^Echo: hello demo/);

    const password = /demo-user\s+password (\S+)/.exec(printed)![1]!;
    const login = await new Api(t.baseUrl).login('demo-user', password);
    expect(login.account.kind).toBe('USER');

    // A second start finds the seed and only re-points the channel at the new upstream.
    const again = await seedDemo(t.app);
    await again.close();
    const { rows } = await t.db.sql.query(`SELECT count(*)::int AS n FROM account WHERE name LIKE 'Demo %'`);
    expect(rows[0].n).toBe(3);
  });
});
