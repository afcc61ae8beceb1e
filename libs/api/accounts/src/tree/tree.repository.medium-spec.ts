import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '@tiergate/api-db';
import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { TreeRepository } from './tree.repository.js';

type Kind = 'MASTER' | 'AGENT' | 'TENANT' | 'USER';

describe('TreeRepository (real Postgres)', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let tree: TreeRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(db.target);
    tree = new TreeRepository(prisma);
  });
  afterAll(async () => {
    await prisma?.onApplicationShutdown();
    await db?.drop();
  });

  async function add(parentId: string | null, kind: Kind = 'AGENT'): Promise<string> {
    const id = randomUUID();
    await prisma.$transaction(async (tx) => {
      await tx.account.create({ data: { id, kind, name: id.slice(0, 8), parentId } });
      await tree.insertNode(tx, id, parentId);
    });
    return id;
  }

  /** The closure recomputed from parent links alone, for comparison. */
  async function recomputed(): Promise<string[]> {
    const { rows } = await db.sql.query<{ a: string; d: string; depth: number }>(`
      WITH RECURSIVE walk(ancestor, descendant, depth) AS (
        SELECT id, id, 0 FROM account
        UNION ALL
        SELECT a.parent_id, w.descendant, w.depth + 1 FROM walk w JOIN account a ON a.id = w.ancestor WHERE a.parent_id IS NOT NULL
      )
      SELECT ancestor AS a, descendant AS d, depth FROM walk`);
    return rows.map((r) => `${r.a}>${r.d}@${r.depth}`).sort();
  }
  async function stored(): Promise<string[]> {
    const { rows } = await db.sql.query<{ a: string; d: string; depth: number }>(
      'SELECT ancestor_id AS a, descendant_id AS d, depth FROM account_closure',
    );
    return rows.map((r) => `${r.a}>${r.d}@${r.depth}`).sort();
  }

  let root: string;

  it('inserts nodes with their whole ancestor chain', async () => {
    root = await add(null, 'MASTER');
    const a = await add(root);
    const b = await add(a);
    const c = await add(b, 'TENANT');
    expect(await tree.ancestors(c)).toEqual([
      { id: c, depth: 0 },
      { id: b, depth: 1 },
      { id: a, depth: 2 },
      { id: root, depth: 3 },
    ]);
    expect((await tree.descendants(a)).map((r) => r.id)).toEqual([a, b, c]);
    expect(await tree.depthBetween(root, c)).toBe(3);
    expect(await tree.depthBetween(c, root)).toBeNull();
    expect(await stored()).toEqual(await recomputed());
  });

  it('moves a subtree and refuses a move under itself or its descendant', async () => {
    const x = await add(root);
    const x1 = await add(x);
    const x2 = await add(x1);
    const y = await add(root);
    await prisma.$transaction((tx) => tree.move(tx, x1, y));
    expect((await tree.ancestors(x2)).map((r) => r.id)).toEqual([x2, x1, y, root]);
    expect(await tree.depthBetween(x, x2)).toBeNull();
    expect(await stored()).toEqual(await recomputed());

    await expect(prisma.$transaction((tx) => tree.move(tx, y, x2))).rejects.toMatchObject({ code: 'move_into_own_subtree' });
    await expect(prisma.$transaction((tx) => tree.move(tx, y, y))).rejects.toMatchObject({ code: 'move_into_own_subtree' });
    expect(await stored()).toEqual(await recomputed());
  });

  it('sees a suspension anywhere above as blocking', async () => {
    const top = await add(root);
    const mid = await add(top);
    const leaf = await add(mid, 'TENANT');
    expect(await tree.isBlocked(leaf)).toBe(false);
    await db.sql.query(`UPDATE account SET status = 'SUSPENDED' WHERE id = $1`, [top]);
    expect(await tree.isBlocked(leaf)).toBe(true);
    expect(await tree.statusOfChain(leaf)).toBe('BLOCKED');
    expect(await tree.isBlocked(root)).toBe(false);
    expect(await tree.statusOfChain(randomUUID())).toBeNull();
  });

  it('keeps concurrent inserts and moves consistent', async () => {
    const p = await add(root);
    const q = await add(root);
    const moving = await add(p);
    await Promise.all([
      ...Array.from({ length: 20 }, () => add(moving)),
      prisma.$transaction((tx) => tree.move(tx, moving, q)),
      ...Array.from({ length: 20 }, () => add(moving)),
    ]);
    expect(await stored()).toEqual(await recomputed());
    expect((await tree.descendants(q)).length).toBe(42);
  });

  it('builds a 10,000-node tree and moves big subtrees, matching a recomputation', async () => {
    // Bulk-built with the same insert statement, in batches of transactions.
    const ids: string[] = [root];
    const top: string[] = [];
    for (let i = 0; i < 10; i++) top.push(await add(root));
    ids.push(...top);
    let frontier = top;
    while (ids.length < 10_000) {
      const next: string[] = [];
      await prisma.$transaction(
        async (tx) => {
          for (const parent of frontier) {
            for (let k = 0; k < 4 && ids.length + next.length < 10_000; k++) {
              const id = randomUUID();
              await tx.account.create({ data: { id, kind: 'AGENT', name: 'n', parentId: parent } });
              await tree.insertNode(tx, id, parent);
              next.push(id);
            }
          }
        },
        { timeout: 600_000, maxWait: 60_000 },
      );
      ids.push(...next);
      frontier = next;
    }
    const { rows } = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM account');
    expect(rows[0]!.n).toBeGreaterThanOrEqual(10_000);
    expect(await stored()).toEqual(await recomputed());

    // Move a whole top-level subtree (about a tenth of the tree) under a leaf of another.
    const moved = top[0]!;
    const leafElsewhere = (await tree.descendants(top[1]!)).at(-1)!.id;
    const subtreeSize = (await tree.descendants(moved)).length;
    await prisma.$transaction((tx) => tree.move(tx, moved, leafElsewhere), { timeout: 120_000 });
    expect((await tree.descendants(top[1]!)).length).toBeGreaterThan(subtreeSize);
    // And a deep node back up to the root.
    const deep = (await tree.descendants(top[2]!)).find((r) => r.depth === 2)!.id;
    await prisma.$transaction((tx) => tree.move(tx, deep, root), { timeout: 120_000 });
    expect(await stored()).toEqual(await recomputed());
  });
});
