import { Injectable } from '@nestjs/common';
import { ConflictError } from '@tiergate/api-core';
import { PrismaService, type Tx } from '@tiergate/api-db';

// Inserts take the tree lock shared, moves take it exclusive: a node inserted under a parent
// while that parent's subtree moves would otherwise copy the parent's old ancestors.
const TREE_LOCK = 0x7467_7472; // "tgtr"

export interface AncestorRow {
  id: string;
  depth: number;
}

/**
 * The only code that reads or writes account_closure. Every write runs inside the caller's
 * transaction so the account row and its closure rows commit together.
 */
@Injectable()
export class TreeRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Links a new node under its parent: its ancestors are the parent's plus itself. */
  async insertNode(tx: Tx, id: string, parentId: string | null): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${TREE_LOCK}::bigint)`;
    if (parentId === null) {
      await tx.$executeRaw`INSERT INTO account_closure (ancestor_id, descendant_id, depth) VALUES (${id}::uuid, ${id}::uuid, 0)`;
      return;
    }
    await tx.$executeRaw`
      INSERT INTO account_closure (ancestor_id, descendant_id, depth)
      SELECT ancestor_id, ${id}::uuid, depth + 1 FROM account_closure WHERE descendant_id = ${parentId}::uuid
      UNION ALL SELECT ${id}::uuid, ${id}::uuid, 0`;
  }

  /**
   * Re-parents the subtree rooted at `id`: one delete of the links from outside ancestors into
   * the subtree, one insert of the new ones. Refuses to move a node under itself or its own descendant.
   */
  async move(tx: Tx, id: string, newParentId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${TREE_LOCK}::bigint)`;
    const cycle = await tx.$queryRaw<{ n: number }[]>`
      SELECT 1 AS n FROM account_closure WHERE ancestor_id = ${id}::uuid AND descendant_id = ${newParentId}::uuid`;
    if (cycle.length > 0) throw new ConflictError('move_into_own_subtree', 'An account cannot be moved under itself or its own descendant');
    await tx.$executeRaw`
      DELETE FROM account_closure
      WHERE descendant_id IN (SELECT descendant_id FROM account_closure WHERE ancestor_id = ${id}::uuid)
        AND ancestor_id IN (SELECT ancestor_id FROM account_closure WHERE descendant_id = ${id}::uuid AND ancestor_id <> ${id}::uuid)`;
    await tx.$executeRaw`
      INSERT INTO account_closure (ancestor_id, descendant_id, depth)
      SELECT above.ancestor_id, below.descendant_id, above.depth + below.depth + 1
      FROM account_closure above CROSS JOIN account_closure below
      WHERE above.descendant_id = ${newParentId}::uuid AND below.ancestor_id = ${id}::uuid`;
    await tx.$executeRaw`UPDATE account SET parent_id = ${newParentId}::uuid, updated_at = now() WHERE id = ${id}::uuid`;
  }

  /** The chain from the node itself (depth 0) up to the root. */
  async ancestors(id: string, db: Tx = this.prisma): Promise<AncestorRow[]> {
    return db.$queryRaw<AncestorRow[]>`
      SELECT ancestor_id AS id, depth FROM account_closure WHERE descendant_id = ${id}::uuid ORDER BY depth`;
  }

  /** Every node of the subtree (the root itself at depth 0), nearest first. */
  async descendants(id: string, db: Tx = this.prisma): Promise<AncestorRow[]> {
    return db.$queryRaw<AncestorRow[]>`
      SELECT descendant_id AS id, depth FROM account_closure WHERE ancestor_id = ${id}::uuid ORDER BY depth, descendant_id`;
  }

  /** Depth of `descendantId` below `ancestorId` (0 = same node), or null when it is not below. */
  async depthBetween(ancestorId: string, descendantId: string, db: Tx = this.prisma): Promise<number | null> {
    const rows = await db.$queryRaw<{ depth: number }[]>`
      SELECT depth FROM account_closure WHERE ancestor_id = ${ancestorId}::uuid AND descendant_id = ${descendantId}::uuid`;
    return rows[0]?.depth ?? null;
  }

  /** True when the node or any ancestor is suspended: a suspension blocks the whole subtree. */
  async isBlocked(id: string, db: Tx = this.prisma): Promise<boolean> {
    const rows = await db.$queryRaw<{ blocked: boolean }[]>`
      SELECT EXISTS (
        SELECT 1 FROM account_closure c JOIN account a ON a.id = c.ancestor_id
        WHERE c.descendant_id = ${id}::uuid AND a.status = 'SUSPENDED'
      ) AS blocked`;
    return rows[0]?.blocked ?? false;
  }

  /** Existence check used by the actor gate: null when the account is gone. */
  async statusOfChain(id: string, db: Tx = this.prisma): Promise<'ACTIVE' | 'BLOCKED' | null> {
    const rows = await db.$queryRaw<{ total: bigint; suspended: bigint }[]>`
      SELECT count(*) AS total, count(*) FILTER (WHERE a.status = 'SUSPENDED') AS suspended
      FROM account_closure c JOIN account a ON a.id = c.ancestor_id
      WHERE c.descendant_id = ${id}::uuid`;
    const row = rows[0];
    if (!row || row.total === 0n) return null;
    return row.suspended > 0n ? 'BLOCKED' : 'ACTIVE';
  }
}
