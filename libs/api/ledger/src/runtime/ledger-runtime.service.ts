import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaService } from '@tiergate/api-db';
import { hostname } from 'node:os';
import { type CounterValue, LedgerDriver } from '../ledger.types.js';
import { counterOf, windowOfRule } from '../rules/rule-shape.js';
import { windowAt } from '../windows/quota-window.js';
import { UsageRepository, type WindowSum } from '../usage/usage.repository.js';
import { persistBatch, runPersistLoop } from './persist-loop.js';
import { type PersisterThread, type PersisterThreadConfig, startPersisterThread } from './persister-thread.js';

export interface LedgerRuntimeOptions {
  /** Run the persister and reaper loops (off in tests that drive them by hand). */
  background: boolean;
  reapEveryMs: number;
  batchSize: number;
  /**
   * After a batch smaller than batchSize, wait this long before reading again, so that under load
   * events are written in batches of hundreds instead of a transaction per handful (default 0).
   */
  lingerMs?: number;
  /**
   * Single node: every reservation found at start belongs to a process that is gone, so they are
   * all finished at once and counters are always rebuilt (they live in memory only).
   */
  singleNode: boolean;
  /**
   * With the Redis ledger: run the background persister in its own thread with these
   * connections, off the relay's event loop. Absent: on the main thread.
   */
  persisterThread?: Omit<PersisterThreadConfig, 'consumer' | 'batchSize' | 'lingerMs'>;
}

/**
 * The ledger's background work: the persister drains the usage stream into Postgres (ack after
 * commit, so Postgres being down only delays), the reaper finishes reservations whose process
 * died, and a rebuild restores counters from Postgres when the ledger starts empty.
 */
@Injectable()
export class LedgerRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ledger');
  private readonly consumer = `${hostname()}`;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private thread: PersisterThread | null = null;
  private reapTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ledger: LedgerDriver,
    private readonly usage: UsageRepository,
    private readonly prisma: PrismaService,
    private readonly options: LedgerRuntimeOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Events written before a crash go to Postgres first, so the rebuild counts them.
    if (this.options.singleNode) while ((await this.reapOnce(Number.MAX_SAFE_INTEGER)) > 0);
    while ((await this.persistOnce(0)) > 0);
    if (this.options.singleNode || (await this.ledger.isEmpty())) await this.rebuild();
    if (!this.options.background) return;
    if (this.options.persisterThread) this.startThread(this.options.persisterThread);
    else this.loops.push(this.persistLoop());
    this.reapTimer = setInterval(() => void this.reapOnce().catch((err: unknown) => this.logger.error(`reaper: ${String(err)}`)), this.options.reapEveryMs);
    this.reapTimer.unref();
  }

  /** Whether usage is being persisted by the persister thread (false: on the main thread, or stopped). */
  get persisterOnThread(): boolean {
    return this.thread !== null;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reapTimer);
    await this.thread?.stop();
    this.thread = null;
    await Promise.allSettled(this.loops);
    // Whatever settled during shutdown still reaches Postgres.
    await this.persistOnce(0).catch(() => undefined);
    await this.ledger.close();
  }

  /** Reads one batch, writes it, acks it. Returns how many events were persisted. */
  persistOnce(blockMs: number): Promise<number> {
    return persistBatch(this.ledger, (events) => this.usage.insertBatch(events), { consumer: this.consumer, batchSize: this.options.batchSize, blockMs });
  }

  private persistLoop(): Promise<void> {
    return runPersistLoop((blockMs) => this.persistOnce(blockMs), {
      batchSize: this.options.batchSize,
      lingerMs: this.options.lingerMs ?? 0,
      stopped: () => this.stopped,
      warn: (message) => this.logger.warn(message),
    });
  }

  private startThread(connections: NonNullable<LedgerRuntimeOptions['persisterThread']>): void {
    const config = { ...connections, consumer: this.consumer, batchSize: this.options.batchSize, lingerMs: this.options.lingerMs ?? 0 };
    this.thread = startPersisterThread(config, {
      warn: (message) => this.logger.warn(message),
      failed: (err) => {
        // Usage must keep reaching Postgres: the main thread takes the stream back.
        this.logger.error(`persister thread failed (${err.message}); persisting on the main thread`);
        this.thread = null;
        if (!this.stopped) this.loops.push(this.persistLoop());
      },
    });
  }

  /** Finishes reservations past their deadline: nothing was delivered that we know of, so release. */
  async reapOnce(now = Date.now()): Promise<number> {
    const expired = await this.ledger.expired(now, 500);
    for (const r of expired) {
      await this.ledger.settle(r.requestId, {
        levels: r.levels.map(() => ({ credits: 0n, tokens: 0n, requests: 0n })),
        inputTokens: 0n,
        cachedTokens: 0n,
        outputTokens: 0n,
        status: 'reaped',
      });
    }
    if (expired.length > 0) this.logger.warn(`reaped ${expired.length} reservation(s) past their deadline`);
    return expired.length;
  }

  /** Counters from Postgres: each rule's current window summed from usage charges. */
  async rebuild(now = new Date()): Promise<number> {
    const values: CounterValue[] = [
      ...(await countersOf(await this.prisma.quotaRule.findMany(), (r) => r.accountId, (ids, from) => this.usage.sumsSince(ids, from), now)),
      // API keys' own rules count what their requests were charged at the owner's level.
      ...(await countersOf(await this.prisma.apiKeyQuotaRule.findMany(), (r) => r.apiKeyId, (ids, from) => this.usage.keySumsSince(ids, from), now)),
    ];
    await this.ledger.replaceCounters(values);
    this.logger.log(`rebuilt ${values.length} counter(s) from Postgres`);
    return values.length;
  }
}

type RuleRow = Parameters<typeof counterOf>[0];

/**
 * Counter values of `rules` as Postgres has them: one sum query per distinct window start (all
 * owners of rules starting then at once), each rule then reads its owner's sum in its unit.
 */
async function countersOf<R extends RuleRow>(
  rules: R[],
  ownerOf: (rule: R) => string,
  sumsSince: (ownerIds: string[], from: Date | null) => Promise<Map<string, WindowSum>>,
  now: Date,
): Promise<CounterValue[]> {
  const starts = rules.map((rule) => windowAt(windowOfRule(rule), now).startsAt?.getTime() ?? null);
  const byStart = new Map<number | null, Set<string>>();
  rules.forEach((rule, i) => byStart.set(starts[i]!, (byStart.get(starts[i]!) ?? new Set()).add(ownerOf(rule))));
  const sums = new Map<number | null, Map<string, WindowSum>>();
  for (const [start, owners] of byStart) sums.set(start, await sumsSince([...owners], start === null ? null : new Date(start)));
  return rules.map((rule, i) => {
    const sum = sums.get(starts[i]!)?.get(ownerOf(rule));
    const counter = counterOf(rule, now);
    const used = !sum ? 0n : rule.unit === 'CREDITS' ? sum.credits : rule.unit === 'TOKENS' ? sum.tokens : sum.requests;
    return { ruleId: rule.id, windowId: counter.windowId, windowEndsAt: counter.windowEndsAt, used };
  });
}
