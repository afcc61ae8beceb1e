import { Injectable } from '@nestjs/common';
import { AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, InvalidInputError, InvalidationBus } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import type {
  AddChannelKeyDto,
  ChannelEventView,
  ChannelKeyView,
  ChannelView,
  CreateChannelDto,
  Page,
  UpdateChannelDto,
} from '@tiergate/contracts';
import { normalizeModelList } from '../common/model-list.js';
import { normalizeBaseUrl, normalizeModelMapping, normalizeTags } from './channel-input.js';
import { channelEventView, channelKeyView, channelView } from './channel.mapper.js';
import { type ChannelFields, ChannelsRepository } from './channels.repository.js';

/**
 * The master's upstream channels (DESIGN §6). Routes are master-only; every write is audited
 * with keys masked, and status changes are also kept in the channel's own event log.
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly channels: ChannelsRepository,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  async create(actor: Actor, dto: CreateChannelDto, meta: RequestMeta = {}): Promise<ChannelView> {
    const models = normalizeModelList(dto.models);
    const fields: ChannelFields = {
      name: dto.name,
      provider: dto.provider,
      baseUrl: normalizeBaseUrl(dto.baseUrl),
      models,
      modelMapping: normalizeModelMapping(dto.modelMapping ?? {}, models),
      priority: dto.priority ?? 0,
      weight: dto.weight ?? 1,
      tags: normalizeTags(dto.tags ?? []),
      costMultiplierBps: dto.costMultiplierBps ?? 10_000,
      strategy: dto.strategy ?? 'weighted',
    };
    const created = await this.prisma.$transaction(async (tx) => {
      const channel = await this.channels.create(tx, fields, dto.keys.map((secret) => ({ secret })));
      await this.channels.appendEvent(tx, { channelId: channel.id, from: 'NONE', to: channel.status, reason: 'created' });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'channel.create', targetId: channel.id, after: channelView(channel), ...meta });
      return channel;
    });
    await this.bus.publish({ kind: 'channel', id: created.id });
    return channelView(created);
  }

  async list(limit = 50, cursor?: string): Promise<Page<ChannelView>> {
    const page = await this.channels.page(limit, cursor);
    return { items: page.items.map(channelView), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<ChannelView> {
    return channelView(await this.channels.find(id));
  }

  async update(actor: Actor, id: string, dto: UpdateChannelDto, meta: RequestMeta = {}): Promise<ChannelView> {
    if (Object.values(dto).every((v) => v === undefined)) throw new InvalidInputError('empty_update', 'Send at least one field to change');
    const updated = await this.prisma.$transaction(async (tx) => {
      const before = await this.channels.lock(tx, id);
      const models = dto.models !== undefined ? normalizeModelList(dto.models) : before.models;
      const mapping = dto.modelMapping ?? (before.modelMapping as Record<string, string>);
      const changes: Partial<ChannelFields> = {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.baseUrl !== undefined && { baseUrl: normalizeBaseUrl(dto.baseUrl) }),
        ...(dto.models !== undefined && { models }),
        ...((dto.models !== undefined || dto.modelMapping !== undefined) && { modelMapping: normalizeModelMapping(mapping, models) }),
        ...(dto.priority !== undefined && { priority: dto.priority }),
        ...(dto.weight !== undefined && { weight: dto.weight }),
        ...(dto.tags !== undefined && { tags: normalizeTags(dto.tags) }),
        ...(dto.costMultiplierBps !== undefined && { costMultiplierBps: dto.costMultiplierBps }),
        ...(dto.strategy !== undefined && { strategy: dto.strategy }),
      };
      const after = await this.channels.update(tx, before.id, { ...changes, ...(dto.status !== undefined && { status: dto.status }) });
      if (after.status !== before.status) {
        await this.channels.appendEvent(tx, { channelId: before.id, from: before.status, to: after.status, reason: `set by hand (${actor.accountId})` });
      }
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'channel.update',
        targetId: before.id,
        before: channelView(before),
        after: channelView(after),
        ...meta,
      });
      return after;
    });
    await this.bus.publish({ kind: 'channel', id: updated.id });
    return channelView(updated);
  }

  async addKey(actor: Actor, id: string, dto: AddChannelKeyDto, meta: RequestMeta = {}): Promise<ChannelKeyView> {
    const key = await this.prisma.$transaction(async (tx) => {
      const channel = await this.channels.lock(tx, id);
      const added = await this.channels.addKey(tx, channel.id, { secret: dto.key, weight: dto.weight });
      await this.channels.appendEvent(tx, { channelId: channel.id, keyId: added.id, from: 'NONE', to: added.status, reason: 'key added' });
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'channel.key.add',
        targetId: channel.id,
        after: { channelId: channel.id, key: channelKeyView(added) },
        ...meta,
      });
      return added;
    });
    await this.bus.publish({ kind: 'channel', id: key.channelId });
    return channelKeyView(key);
  }

  async removeKey(actor: Actor, id: string, keyId: string, meta: RequestMeta = {}): Promise<void> {
    const channelId = await this.prisma.$transaction(async (tx) => {
      const channel = await this.channels.lock(tx, id);
      const removed = await this.channels.removeKey(tx, channel.id, keyId);
      await this.channels.appendEvent(tx, { channelId: channel.id, keyId: removed.id, from: removed.status, to: 'REMOVED', reason: 'key removed' });
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'channel.key.remove',
        targetId: channel.id,
        before: { channelId: channel.id, key: channelKeyView(removed) },
        ...meta,
      });
      return channel.id;
    });
    await this.bus.publish({ kind: 'channel', id: channelId });
  }

  async events(id: string, limit = 50, cursor?: string): Promise<Page<ChannelEventView>> {
    const channel = await this.channels.find(id);
    const page = await this.channels.events(channel.id, limit, cursor);
    return { items: page.items.map(channelEventView), nextCursor: page.nextCursor };
  }
}
