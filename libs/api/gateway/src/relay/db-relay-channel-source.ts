import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InvalidationBus } from '@tiergate/api-core';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { ChannelHealth } from '../health/channel-health.service.js';
import { type RelayChannel, RelayChannelSource, type UpstreamFailureReport } from './relay-channel.js';

const TTL_MS = 10_000;

/** Channels from Postgres, cached per model for a few seconds and dropped on any channel change. */
@Injectable()
export class DbRelayChannelSource extends RelayChannelSource implements OnModuleDestroy {
  private readonly byModel = new Map<string, { at: number; channels: Promise<RelayChannel[]> }>();
  private served: { at: number; models: Promise<Set<string>> } | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly repository: ChannelsRepository,
    private readonly health: ChannelHealth,
    bus: InvalidationBus,
  ) {
    super();
    this.unsubscribe = bus.subscribe((event) => {
      if (event.kind === 'channel') this.clear();
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  clear(): void {
    this.byModel.clear();
    this.served = null;
  }

  channelsFor(model: string): Promise<RelayChannel[]> {
    const hit = this.byModel.get(model);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.channels;
    const channels = this.repository.enabledChannelsFor(model);
    this.byModel.set(model, { at: Date.now(), channels });
    channels.catch(() => this.byModel.delete(model));
    return channels;
  }

  servedModels(): Promise<Set<string>> {
    if (this.served && Date.now() - this.served.at < TTL_MS) return this.served.models;
    const models = this.repository.servedModels();
    this.served = { at: Date.now(), models };
    models.catch(() => (this.served = null));
    return models;
  }

  reportFailure(report: UpstreamFailureReport): Promise<void> {
    return this.health.report(report);
  }
}
