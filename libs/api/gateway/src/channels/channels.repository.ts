import { Injectable, Logger } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '@tiergate/api-core';
import { type ChannelEvent, type ChannelKey, type ChannelStatus, Prisma, PrismaService, type Tx } from '@tiergate/api-db';
import type { Page, SelectionStrategy } from '@tiergate/contracts';
import type { ChannelWithKeys } from './channel.mapper.js';
import { keyHintOf } from './key-mask.js';
import { KeyVault } from './key-vault.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEYS_IN_ORDER = { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } satisfies Prisma.Channel$keysArgs;

export interface ChannelFields {
  name: string;
  provider: string;
  baseUrl: string;
  models: string[];
  modelMapping: Record<string, string>;
  priority: number;
  weight: number;
  tags: string[];
  costMultiplierBps: number;
  strategy: string;
}

export interface NewChannelKey {
  /** The upstream key in the clear; sealed here, before it reaches the database. */
  secret: string;
  weight?: number;
}

export interface ChannelEventInput {
  channelId: string;
  keyId?: string | null;
  from: string;
  to: string;
  reason: string;
}

/** What the relay gets: an enabled channel and its enabled keys, decrypted. */
export interface EnabledChannel {
  id: string;
  name: string;
  provider: string;
  baseUrl: string;
  models: string[];
  modelMapping: Record<string, string>;
  priority: number;
  weight: number;
  tags: string[];
  costMultiplierBps: number;
  strategy: SelectionStrategy;
  createdAt: number;
  /** `key` is the upstream key in the clear. */
  keys: { id: string; key: string; weight: number; createdAt: number }[];
}

/** A channel (keyId null) or a key that health took out, with the key to probe it with, in the clear. */
export interface ProbeTarget {
  channel: { id: string; provider: string; baseUrl: string };
  keyId: string | null;
  probeKey: string;
}

/**
 * Channels of the master (installation-wide, so no account scope). The only code that sees
 * upstream keys in the clear: they are sealed with the KeyVault on the way in and opened
 * only for the relay.
 */
@Injectable()
export class ChannelsRepository {
  private readonly logger = new Logger('ChannelsRepository');

  constructor(
    private readonly prisma: PrismaService,
    private readonly vault: KeyVault,
  ) {}

  async create(tx: Tx, fields: ChannelFields, keys: NewChannelKey[]): Promise<ChannelWithKeys> {
    return tx.channel.create({
      data: { ...fields, keys: { create: keys.map((k) => this.sealed(k)) } },
      include: { keys: KEYS_IN_ORDER },
    });
  }

  async page(limit = 50, cursor?: string, db: Tx = this.prisma): Promise<Page<ChannelWithKeys>> {
    if (cursor !== undefined && !UUID.test(cursor)) throw new InvalidInputError('invalid_cursor', 'The cursor is not one this API returned');
    const rows = await db.channel.findMany({
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
      ...(cursor && { cursor: { id: cursor }, skip: 1 }),
      include: { keys: KEYS_IN_ORDER },
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null };
  }

  async find(id: string, db: Tx = this.prisma): Promise<ChannelWithKeys> {
    const channel = UUID.test(id) ? await db.channel.findUnique({ where: { id }, include: { keys: KEYS_IN_ORDER } }) : null;
    if (!channel) throw new NotFoundError('channel_not_found', `No channel ${id}`);
    return channel;
  }

  /** The channel, row-locked for the rest of the transaction, so before/after and events stay exact. */
  async lock(tx: Tx, id: string): Promise<ChannelWithKeys> {
    if (UUID.test(id)) await tx.$queryRaw`SELECT id FROM channel WHERE id = ${id}::uuid FOR UPDATE`;
    return this.find(id, tx);
  }

  async update(tx: Tx, id: string, data: Partial<ChannelFields> & { status?: ChannelStatus }): Promise<ChannelWithKeys> {
    return tx.channel.update({ where: { id }, data, include: { keys: KEYS_IN_ORDER } });
  }

  async addKey(tx: Tx, channelId: string, key: NewChannelKey): Promise<ChannelKey> {
    const created = await tx.channelKey.create({ data: { channelId, ...this.sealed(key) } });
    await tx.channel.update({ where: { id: channelId }, data: { updatedAt: new Date() } });
    return created;
  }

  /** Deletes the key (its cipher text goes with it); NotFound when it is not a key of this channel. */
  async removeKey(tx: Tx, channelId: string, keyId: string): Promise<ChannelKey> {
    const key = UUID.test(keyId) ? await tx.channelKey.findFirst({ where: { id: keyId, channelId } }) : null;
    if (!key) throw new NotFoundError('channel_key_not_found', `No key ${keyId} on this channel`);
    await tx.channelKey.delete({ where: { id: key.id } });
    await tx.channel.update({ where: { id: channelId }, data: { updatedAt: new Date() } });
    return key;
  }

  async appendEvent(tx: Tx, event: ChannelEventInput): Promise<void> {
    await tx.channelEvent.create({ data: { ...event, keyId: event.keyId ?? null } });
  }

  /** The channel's status history, newest first; the cursor is the last id seen. */
  async events(channelId: string, limit = 50, cursor?: string, db: Tx = this.prisma): Promise<Page<ChannelEvent>> {
    const before = cursor && /^\d{1,19}$/.test(cursor) ? BigInt(cursor) : undefined;
    if (cursor && before === undefined) throw new InvalidInputError('invalid_cursor', 'The cursor is not one this API returned');
    const rows = await db.channelEvent.findMany({
      where: { channelId, ...(before !== undefined && { id: { lt: before } }) },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items.at(-1)!.id.toString() : null };
  }

  /**
   * For the relay: enabled channels serving `model` (a public name), each with its enabled keys
   * decrypted; channels left without a usable key are omitted. Highest priority first; choosing
   * among them (strategy, health, quota) is the selector's business.
   */
  async enabledChannelsFor(model: string, db: Tx = this.prisma): Promise<EnabledChannel[]> {
    const rows = await db.channel.findMany({
      where: { status: 'ENABLED', models: { has: model } },
      orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
      include: { keys: { where: { status: 'ENABLED' }, ...KEYS_IN_ORDER } },
    });
    const out: EnabledChannel[] = [];
    for (const { keys, modelMapping, createdAt, updatedAt: _u, status: _s, ...channel } of rows) {
      const opened = keys.flatMap((k) => {
        const secret = this.open(channel.id, k);
        return secret === null ? [] : [{ id: k.id, key: secret, weight: k.weight, createdAt: k.createdAt.getTime() }];
      });
      if (opened.length > 0) {
        out.push({ ...channel, strategy: channel.strategy as SelectionStrategy, createdAt: createdAt.getTime(), modelMapping: (modelMapping ?? {}) as Record<string, string>, keys: opened });
      }
    }
    return out;
  }

  /**
   * Moves a channel (keyId null) or a key from one status to another only if it is still in
   * `from`: of several replicas seeing the same failures, exactly one changes it and logs it.
   */
  async setStatusIf(tx: Tx, target: { channelId: string; keyId: string | null }, from: ChannelStatus, to: ChannelStatus): Promise<boolean> {
    const changed =
      target.keyId === null
        ? await tx.channel.updateMany({ where: { id: target.channelId, status: from }, data: { status: to } })
        : await tx.channelKey.updateMany({ where: { id: target.keyId, channelId: target.channelId, status: from }, data: { status: to } });
    return changed.count === 1;
  }

  /**
   * What health probes: keys disabled by health (on channels not switched off by hand), and
   * channels disabled by health with one of their keys to probe with — keys in the clear. Only
   * those out for at least `outForSeconds` (by the database clock, the same on every replica),
   * so a probe never puts back what went out a moment ago.
   */
  async healthDisabled(outForSeconds: number, db: Tx = this.prisma): Promise<ProbeTarget[]> {
    const rows = await db.channel.findMany({
      where: {
        OR: [{ status: 'DISABLED_HEALTH' }, { status: 'ENABLED', keys: { some: { status: 'DISABLED_HEALTH' } } }],
      },
      include: { keys: KEYS_IN_ORDER },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    if (rows.length === 0) return [];
    const recent = await db.$queryRaw<{ channelId: string; keyId: string | null }[]>`
      SELECT DISTINCT channel_id AS "channelId", key_id AS "keyId" FROM channel_event
      WHERE channel_id = ANY(${rows.map((c) => c.id)}::uuid[]) AND "to" = 'DISABLED_HEALTH'
        AND created_at > now() - make_interval(secs => ${outForSeconds})`;
    const tooRecent = new Set(recent.map((r) => `${r.channelId}/${r.keyId ?? ''}`));
    const targets: ProbeTarget[] = [];
    for (const c of rows) {
      const channel = { id: c.id, provider: c.provider, baseUrl: c.baseUrl };
      if (c.status === 'DISABLED_HEALTH') {
        const key = c.keys.find((k) => k.status === 'ENABLED') ?? c.keys.find((k) => k.status === 'DISABLED_HEALTH');
        const secret = key && !tooRecent.has(`${c.id}/`) ? this.open(c.id, key) : null;
        if (secret !== null) targets.push({ channel, keyId: null, probeKey: secret });
        continue;
      }
      for (const key of c.keys) {
        if (key.status !== 'DISABLED_HEALTH' || tooRecent.has(`${c.id}/${key.id}`)) continue;
        const secret = this.open(c.id, key);
        if (secret !== null) targets.push({ channel, keyId: key.id, probeKey: secret });
      }
    }
    return targets;
  }

  /** Every public model name some enabled channel with an enabled key serves. */
  async servedModels(db: Tx = this.prisma): Promise<Set<string>> {
    const rows = await db.$queryRaw<{ model: string }[]>`
      SELECT DISTINCT unnest(c.models) AS model FROM channel c
      WHERE c.status = 'ENABLED' AND EXISTS (SELECT 1 FROM channel_key k WHERE k.channel_id = c.id AND k.status = 'ENABLED')`;
    return new Set(rows.map((r) => r.model));
  }

  /** A key in the clear, or null (logged) when it no longer decrypts: one bad key never fails a whole lookup. */
  private open(channelId: string, key: ChannelKey): string | null {
    try {
      return this.vault.decrypt(key.cipherText);
    } catch (err) {
      this.logger.error(`channel ${channelId} key ${key.id} skipped: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  private sealed(key: NewChannelKey): { cipherText: string; prefix: string; last4: string; weight: number } {
    const hint = keyHintOf(key.secret);
    return { cipherText: this.vault.encrypt(key.secret), prefix: hint.prefix, last4: hint.last4, weight: key.weight ?? 1 };
  }
}
