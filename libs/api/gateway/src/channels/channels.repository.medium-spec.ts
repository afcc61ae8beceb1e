import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { NotFoundError } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelFields, ChannelsRepository } from './channels.repository.js';
import { KeyVault } from './key-vault.js';

const fields = (over: Partial<ChannelFields> = {}): ChannelFields => ({
  name: 'c',
  provider: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  models: ['gpt-4o'],
  modelMapping: {},
  priority: 0,
  weight: 1,
  tags: [],
  costMultiplierBps: 10_000,
  strategy: 'weighted',
  ...over,
});
const secret = () => `sk-${randomBytes(24).toString('hex')}`;

describe('ChannelsRepository (real Postgres)', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let repo: ChannelsRepository;
  const vault = new KeyVault(randomBytes(32));

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(db.target);
    repo = new ChannelsRepository(prisma, vault);
  });
  afterAll(async () => {
    await prisma?.onApplicationShutdown();
    await db?.drop();
  });

  it('seals keys before they reach the database and keeps only a hint in the clear', async () => {
    const raw = secret();
    const channel = await prisma.$transaction((tx) => repo.create(tx, fields(), [{ secret: raw }]));
    expect(channel.keys).toHaveLength(1);
    expect(channel.keys[0]).toMatchObject({ prefix: 'sk-', last4: raw.slice(-4), status: 'ENABLED', weight: 1 });
    const { rows } = await db.sql.query('SELECT * FROM channel_key WHERE channel_id = $1', [channel.id]);
    expect(JSON.stringify(rows)).not.toContain(raw);
    expect(JSON.stringify(rows)).not.toContain(raw.slice(3, -4));
    expect(vault.decrypt(rows[0].cipher_text)).toBe(raw);
  });

  it('gives the relay enabled channels serving the model, with enabled keys decrypted, by priority', async () => {
    const model = `m-${randomUUID().slice(0, 8)}`;
    const [k1, k2, k3, k4] = [secret(), secret(), secret(), secret()];
    const low = await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'low', models: [model], priority: 1 }), [{ secret: k1 }, { secret: k2, weight: 5 }]));
    const high = await prisma.$transaction((tx) =>
      repo.create(tx, fields({ name: 'high', models: [model, 'other'], priority: 9, modelMapping: { [model]: 'upstream-name' } }), [{ secret: k3 }]),
    );
    const off = await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'off', models: [model] }), [{ secret: k4 }]));
    await prisma.$transaction((tx) => repo.update(tx, off.id, { status: 'DISABLED_MANUAL' }));
    const keyless = await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'keyless', models: [model] }), [{ secret: secret() }]));
    await prisma.channelKey.updateMany({ where: { channelId: keyless.id }, data: { status: 'DISABLED_HEALTH' } });
    const [k1Row, k2Row] = [low.keys.find((k) => k.weight === 1)!, low.keys.find((k) => k.weight === 5)!];
    await prisma.channelKey.update({ where: { id: k1Row.id }, data: { status: 'DISABLED_HEALTH' } });
    await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'unrelated', models: ['unrelated-model'] }), [{ secret: secret() }]));

    const found = await repo.enabledChannelsFor(model);
    expect(found.map((c) => c.name)).toEqual(['high', 'low']);
    expect(found[0]).toMatchObject({ id: high.id, provider: 'openai', modelMapping: { [model]: 'upstream-name' }, keys: [{ key: k3, weight: 1 }] });
    expect(found[1]!.keys).toEqual([{ id: k2Row.id, key: k2, weight: 5, createdAt: k2Row.createdAt.getTime() }]);
    expect(k1).not.toBe(k2);
    expect(await repo.enabledChannelsFor('nobody-serves-this')).toEqual([]);

    const served = await repo.servedModels();
    expect(served.has(model) && served.has('other') && served.has('unrelated-model')).toBe(true);
    await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'dark', models: ['only-on-a-disabled-channel'] }), [{ secret: secret() }]).then((c) => repo.update(tx, c.id, { status: 'DISABLED_HEALTH' })));
    expect((await repo.servedModels()).has('only-on-a-disabled-channel')).toBe(false);
  });

  it('skips a key that no longer decrypts instead of failing the whole lookup', async () => {
    const model = `m-${randomUUID().slice(0, 8)}`;
    const good = secret();
    const channel = await prisma.$transaction((tx) => repo.create(tx, fields({ models: [model] }), [{ secret: secret() }]));
    await prisma.$transaction((tx) => repo.addKey(tx, channel.id, { secret: good }));
    // Sealed under another installation's key: it cannot be opened here.
    await prisma.channelKey.update({ where: { id: channel.keys[0]!.id }, data: { cipherText: new KeyVault(randomBytes(32)).encrypt('x') } });
    const found = await repo.enabledChannelsFor(model);
    expect(found[0]!.keys.map((k) => k.key)).toEqual([good]);
  });

  it('adds and removes keys of one channel only', async () => {
    const a = await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'a' }), [{ secret: secret() }]));
    const b = await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'b' }), [{ secret: secret() }]));
    const added = await prisma.$transaction((tx) => repo.addKey(tx, a.id, { secret: secret(), weight: 3 }));
    expect((await repo.find(a.id)).keys.map((k) => k.id)).toContain(added.id);
    await expect(prisma.$transaction((tx) => repo.removeKey(tx, b.id, added.id))).rejects.toThrow(NotFoundError);
    await prisma.$transaction((tx) => repo.removeKey(tx, a.id, added.id));
    expect((await repo.find(a.id)).keys.map((k) => k.id)).not.toContain(added.id);
    await expect(repo.find(randomUUID())).rejects.toThrow(NotFoundError);
    await expect(repo.find('nope')).rejects.toThrow(NotFoundError);
  });

  it('keeps an append-only event log, newest first', async () => {
    const c = await prisma.$transaction((tx) => repo.create(tx, fields(), [{ secret: secret() }]));
    for (const [from, to] of [['ENABLED', 'DISABLED_MANUAL'], ['DISABLED_MANUAL', 'ENABLED'], ['ENABLED', 'DISABLED_HEALTH']]) {
      await prisma.$transaction((tx) => repo.appendEvent(tx, { channelId: c.id, from: from!, to: to!, reason: 'test' }));
    }
    const first = await repo.events(c.id, 2);
    const rest = await repo.events(c.id, 2, first.nextCursor!);
    expect([...first.items, ...rest.items].map((e) => e.to)).toEqual(['DISABLED_HEALTH', 'ENABLED', 'DISABLED_MANUAL']);
    await expect(db.sql.query('UPDATE channel_event SET reason = $1', ['rewritten'])).rejects.toThrow(/append-only/);
    await expect(db.sql.query('DELETE FROM channel_event')).rejects.toThrow(/append-only/);
  });

  it('offers for probing only what health took out at least the given time ago', async () => {
    const probeKeyOf = secret();
    const out = await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'out' }), [{ secret: probeKeyOf }]));
    const keyed = await prisma.$transaction((tx) => repo.create(tx, fields({ name: 'keyed' }), [{ secret: secret() }, { secret: secret() }]));
    const badKey = keyed.keys[0]!.id;
    await prisma.$transaction(async (tx) => {
      await repo.setStatusIf(tx, { channelId: out.id, keyId: null }, 'ENABLED', 'DISABLED_HEALTH');
      await repo.appendEvent(tx, { channelId: out.id, from: 'ENABLED', to: 'DISABLED_HEALTH', reason: 'test' });
      await repo.setStatusIf(tx, { channelId: keyed.id, keyId: badKey }, 'ENABLED', 'DISABLED_HEALTH');
      await repo.appendEvent(tx, { channelId: keyed.id, keyId: badKey, from: 'ENABLED', to: 'DISABLED_HEALTH', reason: 'test' });
    });
    const ours = (targets: Awaited<ReturnType<ChannelsRepository['healthDisabled']>>) =>
      targets.filter((t) => t.channel.id === out.id || t.channel.id === keyed.id).map((t) => [t.channel.id, t.keyId]);

    // Out for less than the interval: not yet.
    expect(ours(await repo.healthDisabled(60))).toEqual([]);
    // Out for longer than the interval: both, the channel probed with its key.
    await new Promise((r) => setTimeout(r, 1100));
    const due = await repo.healthDisabled(1);
    expect(ours(due).sort()).toEqual([[out.id, null], [keyed.id, badKey]].sort());
    expect(due.find((t) => t.channel.id === out.id)!.probeKey).toBe(probeKeyOf);
  });

  it('pages channels', async () => {
    const all = await repo.page(1000);
    const first = await repo.page(2);
    const second = await repo.page(2, first.nextCursor!);
    expect([...first.items, ...second.items].map((c) => c.id)).toEqual(all.items.slice(0, 4).map((c) => c.id));
  });
});
