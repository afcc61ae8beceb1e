import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig, InvalidationBus, JobRunner, RateLimiter } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import { Agent, type Dispatcher, request } from 'undici';
import { ChannelsRepository, type ProbeTarget } from '../channels/channels.repository.js';
import { adapterFor } from '../providers/registry.js';
import type { UpstreamFailureReport } from '../relay/relay-channel.js';

const PROBE_JOB = 'channel-health-probe';
const PROBE_TIMEOUT_MS = 10_000;
const MAX_REASON = 500;

/**
 * Channel and key health (DESIGN §6). Failures count in a sliding window shared by all replicas
 * (the RateLimiter: Redis, or in-process on a single node); the N-th within the window takes the
 * key or channel out of rotation, and an auth or balance error takes the key out at once. A
 * periodic probe (one replica per tick) puts them back when the upstream answers again, no sooner
 * than one probe interval after they went out. Every
 * change is a channel event, a log line and an invalidation, so the relay's cache drops it.
 */
@Injectable()
export class ChannelHealth implements OnModuleInit {
  private readonly logger = new Logger('Health');
  private readonly dispatcher: Dispatcher = new Agent({ connections: 4, headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS });

  constructor(
    private readonly prisma: PrismaService,
    private readonly channels: ChannelsRepository,
    private readonly limiter: RateLimiter,
    private readonly bus: InvalidationBus,
    private readonly config: AppConfig,
    private readonly jobs: JobRunner,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.every(PROBE_JOB, this.config.health.probeSeconds * 1000, () => this.probeDisabled());
  }

  /** One failed attempt: counts towards the window, or disables the key at once. */
  async report(failure: UpstreamFailureReport): Promise<void> {
    const target = { channelId: failure.channelId, keyId: failure.scope === 'key' ? failure.keyId : null };
    if (failure.immediate) {
      await this.disable(target, failure.reason);
      return;
    }
    const { failures, windowSeconds } = this.config.health;
    const verdict = await this.limiter.hit(windowKey(target), failures - 1, windowSeconds);
    if (!verdict.allowed) await this.disable(target, `${verdict.count} failures within ${windowSeconds}s, the last: ${failure.reason}`);
  }

  /**
   * Probes what health took out at least one probe interval ago; what answers is enabled again.
   * The wait keeps a failing channel out for a while even when its probe (a model list) answers
   * while its chat calls do not.
   */
  async probeDisabled(): Promise<void> {
    const targets = await this.channels.healthDisabled(this.config.health.probeSeconds);
    for (const target of targets) {
      const verdict = await this.probe(target);
      if (verdict.ok) await this.enable(target, `probe succeeded (${verdict.detail})`);
      else this.logger.debug(`still down: channel ${target.channel.id}${target.keyId ? ` key ${target.keyId}` : ''}: ${verdict.detail}`);
    }
  }

  private async probe(target: ProbeTarget): Promise<{ ok: boolean; detail: string }> {
    const adapter = adapterFor(target.channel.provider);
    if (!adapter) return { ok: false, detail: `no adapter for ${target.channel.provider}` };
    const { url, headers } = adapter.probe(target.channel.baseUrl, target.probeKey);
    try {
      const res = await request(url, { method: 'GET', headers, dispatcher: this.dispatcher, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.body.dump();
      return { ok: res.statusCode >= 200 && res.statusCode < 300, detail: `HTTP ${res.statusCode}` };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  private async disable(target: { channelId: string; keyId: string | null }, reason: string): Promise<void> {
    const changed = await this.prisma.$transaction(async (tx) => {
      if (!(await this.channels.setStatusIf(tx, target, 'ENABLED', 'DISABLED_HEALTH'))) return false;
      await this.channels.appendEvent(tx, { ...target, from: 'ENABLED', to: 'DISABLED_HEALTH', reason: reason.slice(0, MAX_REASON) });
      return true;
    });
    if (!changed) return;
    this.logger.warn(`disabled ${describe(target)}: ${reason}`);
    await this.bus.publish({ kind: 'channel', id: target.channelId });
  }

  private async enable(target: ProbeTarget, reason: string): Promise<void> {
    const at = { channelId: target.channel.id, keyId: target.keyId };
    const changed = await this.prisma.$transaction(async (tx) => {
      if (!(await this.channels.setStatusIf(tx, at, 'DISABLED_HEALTH', 'ENABLED'))) return false;
      await this.channels.appendEvent(tx, { ...at, from: 'DISABLED_HEALTH', to: 'ENABLED', reason });
      return true;
    });
    if (!changed) return;
    // A fresh start: failures from before the outage do not count against the next window.
    await this.limiter.reset(windowKey(at));
    this.logger.log(`re-enabled ${describe(at)}: ${reason}`);
    await this.bus.publish({ kind: 'channel', id: at.channelId });
  }
}

function windowKey(target: { channelId: string; keyId: string | null }): string {
  return target.keyId === null ? `health:channel:${target.channelId}` : `health:key:${target.keyId}`;
}

function describe(target: { channelId: string; keyId: string | null }): string {
  return target.keyId === null ? `channel ${target.channelId}` : `key ${target.keyId} of channel ${target.channelId}`;
}
