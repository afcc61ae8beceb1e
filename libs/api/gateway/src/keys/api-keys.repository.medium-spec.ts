import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, prefixOfApiKey } from './api-key-format.js';
import { ApiKeysRepository } from './api-keys.repository.js';

describe('ApiKeysRepository (real Postgres)', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let repo: ApiKeysRepository;
  const alice = randomUUID();
  const bob = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(db.target);
    repo = new ApiKeysRepository(prisma);
    for (const id of [alice, bob]) await prisma.account.create({ data: { id, kind: 'USER', name: id.slice(0, 8) } });
  });
  afterAll(async () => {
    await prisma?.onApplicationShutdown();
    await db?.drop();
  });

  async function add(accountId: string, name: string) {
    const raw = generateApiKey();
    const row = await prisma.$transaction((tx) =>
      repo.create(tx, accountId, {
        name,
        prefix: prefixOfApiKey(raw),
        keyHash: hashApiKey(raw),
        models: [],
        ipAllowList: [],
        expiresAt: null,
        allowChannelPin: false,
      }),
    );
    return { raw, row };
  }

  it('stores only the hash and the prefix of a key', async () => {
    const { raw, row } = await add(alice, 'first');
    const { rows } = await db.sql.query('SELECT * FROM api_key WHERE id = $1', [row.id]);
    expect(JSON.stringify(rows[0])).not.toContain(raw);
    expect(rows[0].key_hash).toBe(hashApiKey(raw));
    expect(rows[0].prefix).toBe(raw.slice(0, 11));
    expect(rows[0].models).toEqual([]);
  });

  it('never returns another account\'s keys', async () => {
    const a2 = await add(alice, 'second');
    const b1 = await add(bob, 'bob only');

    const alicePage = await repo.page(alice);
    expect(alicePage.items.every((k) => k.accountId === alice)).toBe(true);
    expect(alicePage.items.map((k) => k.name)).toEqual(['second', 'first']);
    expect((await repo.page(bob)).items.map((k) => k.id)).toEqual([b1.row.id]);
    expect((await repo.page(randomUUID())).items).toEqual([]);

    await expect(repo.findOf(alice, b1.row.id)).rejects.toThrow(NotFoundError);
    await expect(repo.findOf(bob, a2.row.id)).rejects.toThrow(NotFoundError);
    await expect(repo.findOf(alice, 'not-a-uuid')).rejects.toThrow(NotFoundError);
    expect((await repo.findOf(alice, a2.row.id)).id).toBe(a2.row.id);

    // Revoking through the wrong owner touches nothing.
    expect(await prisma.$transaction((tx) => repo.revoke(tx, alice, b1.row.id))).toBeNull();
    expect((await repo.findOf(bob, b1.row.id)).status).toBe('ACTIVE');
  });

  it('revokes once; a second revoke is a no-op', async () => {
    const { row } = await add(alice, 'to revoke');
    const revoked = await prisma.$transaction((tx) => repo.revoke(tx, alice, row.id));
    expect(revoked).toMatchObject({ status: 'REVOKED', revokedAt: expect.any(Date) });
    expect(await prisma.$transaction((tx) => repo.revoke(tx, alice, row.id))).toBeNull();
  });

  it('pages by creation time with an opaque cursor', async () => {
    const owner = randomUUID();
    await prisma.account.create({ data: { id: owner, kind: 'TENANT', name: 'pager' } });
    for (let i = 0; i < 5; i++) await add(owner, `k${i}`);
    const first = await repo.page(owner, 2);
    const second = await repo.page(owner, 2, first.nextCursor!);
    const third = await repo.page(owner, 2, second.nextCursor!);
    expect([...first.items, ...second.items, ...third.items].map((k) => k.name)).toEqual(['k4', 'k3', 'k2', 'k1', 'k0']);
    expect(third.nextCursor).toBeNull();
  });

  it('finds a key by its hash for authentication, and records its use', async () => {
    const { raw, row } = await add(bob, 'auth');
    const found = await repo.findByHash(hashApiKey(raw));
    expect(found?.id).toBe(row.id);
    expect(await repo.findByHash(hashApiKey(generateApiKey()))).toBeNull();
    const at = new Date('2030-01-01T00:00:00Z');
    await repo.touch(row.id, at);
    expect((await repo.findOf(bob, row.id)).lastUsedAt).toEqual(at);
  });
});
