import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActualLevel, ActualUsage, CounterSpec, LedgerDriver, LevelCharge, QuotaUnit, ReserveRequest, StreamEntry } from '../ledger.types.js';

/**
 * The behaviour every ledger driver promises (DESIGN §4); each driver's spec runs it.
 * `make` must return a driver over its own, empty state each time it is called.
 */
export function ledgerDriverContract(name: string, make: () => Promise<LedgerDriver>, enabled = true): void {
  describe.skipIf(!enabled)(`LedgerDriver contract: ${name}`, () => {
    const opened: LedgerDriver[] = [];
    const open = async (): Promise<LedgerDriver> => {
      const driver = await make();
      opened.push(driver);
      return driver;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((d) => d.close()));
    });

    describe('reserve, settle, release', () => {
      it('moves LIFETIME and windowed counters by exactly the actual amounts, per unit', async () => {
        const ledger = await open();
        const user = level('user', 1000n, 400n, 1n, [rule('CREDITS', 1_000_000n), rule('TOKENS', 100_000n, windowEnd()), rule('REQUESTS', null, windowEnd())]);
        const agent = level('agent', 700n, 400n, 1n, [rule('CREDITS', null), rule('REQUESTS', 10n)]);
        const levels = [user, agent];

        const a = request(levels);
        expect(await ledger.reserve(a)).toEqual({ ok: true, duplicate: false });
        expect(await usedOf(ledger, levels)).toEqual([[1000n, 400n, 1n], [700n, 1n]]);

        // Lower than reserved.
        expect(await ledger.settle(a.requestId, actual([[600n, 300n, 1n], [420n, 300n, 1n]]))).toBe('settled');
        expect(await usedOf(ledger, levels)).toEqual([[600n, 300n, 1n], [420n, 1n]]);

        // Higher than reserved.
        const b = request(levels);
        expect((await ledger.reserve(b)).ok).toBe(true);
        expect(await ledger.settle(b.requestId, actual([[1500n, 900n, 1n], [1050n, 900n, 1n]]))).toBe('settled');
        expect(await usedOf(ledger, levels)).toEqual([[2100n, 1200n, 2n], [1470n, 2n]]);

        // Released: back to where it was.
        const c = request(levels);
        expect((await ledger.reserve(c)).ok).toBe(true);
        expect(await usedOf(ledger, levels)).toEqual([[3100n, 1600n, 3n], [2170n, 3n]]);
        expect(await ledger.release(c.requestId)).toBe('settled');
        expect(await usedOf(ledger, levels)).toEqual([[2100n, 1200n, 2n], [1470n, 2n]]);
      });

      it('counts unlimited counters without ever refusing on them', async () => {
        const ledger = await open();
        const levels = [level('user', 9_000_000_000_000n, 1n, 1n, [rule('CREDITS', null), rule('TOKENS', null, windowEnd())])];
        for (let i = 0; i < 3; i++) expect((await ledger.reserve(request(levels))).ok).toBe(true);
        expect(await usedOf(ledger, levels)).toEqual([[27_000_000_000_000n, 3n]]);
      });

      it('keeps amounts up to 2^53 − 1 exact (no float rounding, no exponent notation)', async () => {
        const ledger = await open();
        const big = 4_000_000_000_000_001n;
        const max = 2n ** 53n - 1n;
        const levels = [level('user', big, 0n, 1n, [rule('CREDITS', max), rule('CREDITS', null, windowEnd())])];
        const a = request(levels);
        const b = request(levels);
        expect((await ledger.reserve(a)).ok).toBe(true);
        expect((await ledger.reserve(b)).ok).toBe(true);
        expect(await usedOf(ledger, levels)).toEqual([[2n * big, 2n * big]]);
        expect((await ledger.reserve(request([{ ...levels[0]!, credits: max - 2n * big + 1n }]))).ok).toBe(false);
        await ledger.settle(a.requestId, actual([[big - 3n, 0n, 1n]]));
        expect(await usedOf(ledger, levels)).toEqual([[2n * big - 3n, 2n * big - 3n]]);
        expect((await ledger.reserve(request([{ ...levels[0]!, credits: max - 2n * big + 3n }]))).ok).toBe(true);
        expect(await usedOf(ledger, levels)).toEqual([[max, max]]);
      });

      it('admits up to the limit exactly (used + amount == limit fits)', async () => {
        const ledger = await open();
        const levels = [level('user', 250n, 0n, 1n, [rule('CREDITS', 1000n)])];
        for (let i = 0; i < 4; i++) expect((await ledger.reserve(request(levels))).ok).toBe(true);
        expect((await ledger.reserve(request(levels))).ok).toBe(false);
        expect(await usedOf(ledger, levels)).toEqual([[1000n]]);
      });

      it('checks a counter that appears at two levels against the sum of both amounts', async () => {
        const ledger = await open();
        const shared = rule('REQUESTS', 3n, windowEnd());
        const levels = [level('user', 0n, 0n, 1n, [shared]), level('agent', 0n, 0n, 1n, [shared])];
        expect((await ledger.reserve(request(levels))).ok).toBe(true);
        expect(await ledger.reserve(request(levels))).toMatchObject({ ok: false, levelIndex: 0, ruleId: shared.ruleId });
        expect(await usedOf(ledger, [levels[0]!])).toEqual([[2n]]);
      });
    });

    describe('refusal', () => {
      it('changes nothing at any level and reports the first failing level in chain order (caller first)', async () => {
        const ledger = await open();
        const levels = [
          level('user', 100n, 10n, 1n, [rule('CREDITS', 1000n), rule('REQUESTS', 50n, windowEnd())]),
          level('tenant', 90n, 10n, 1n, [rule('CREDITS', 1000n), rule('TOKENS', 15n, windowEnd())]),
          level('agent', 80n, 10n, 1n, [rule('CREDITS', 50n)]),
          level('master', 70n, 10n, 1n, [rule('CREDITS', null)]),
        ];
        const before = await usedOf(ledger, levels);
        // The tenant's TOKENS (second counter of level 1) and the agent's CREDITS both fail; the tenant is reported.
        const tooBig = request(levels.map((l, i) => (i === 1 ? { ...l, tokens: 16n } : l)));
        expect(await ledger.reserve(tooBig)).toEqual({ ok: false, levelIndex: 1, accountId: levels[1]!.accountId, ruleId: levels[1]!.counters[1]!.ruleId, unit: 'TOKENS' });
        expect(await usedOf(ledger, levels)).toEqual(before);

        // With the tenant fitting, the agent is next.
        expect(await ledger.reserve(request(levels))).toEqual({ ok: false, levelIndex: 2, accountId: levels[2]!.accountId, ruleId: levels[2]!.counters[0]!.ruleId, unit: 'CREDITS' });
        expect(await usedOf(ledger, levels)).toEqual(before);
        // A refused request id was not recorded: the same id may reserve again once it fits.
        const retry = request(levels.map((l, i) => (i === 2 ? { ...l, credits: 50n } : l)));
        expect(await ledger.reserve({ ...retry, requestId: tooBig.requestId })).toEqual({ ok: true, duplicate: false });
      });
    });

    describe('concurrency', () => {
      const K = 137;
      /** Depth 6, one or two counters per level, a different amount per level; level 3's CREDITS admits exactly K. */
      function tightChain(): LevelCharge[] {
        return [0, 1, 2, 3, 4, 5].map((i) => {
          const credits = BigInt(1000 + 137 * i);
          const counters = [rule('CREDITS', i === 3 ? credits * BigInt(K) + credits - 1n : 10n ** 15n)];
          if (i % 2 === 0) counters.push(rule('REQUESTS', null, windowEnd()));
          if (i === 5) counters.push(rule('TOKENS', 10n ** 12n, windowEnd()));
          return level(`acct${i}`, credits, BigInt(100 + i), 1n, counters);
        });
      }

      it(`1,000 concurrent reserves at depth 6: exactly ${K} succeed and no counter overshoots by a single µc`, async () => {
        const ledger = await open();
        const levels = tightChain();
        const results = await Promise.all(Array.from({ length: 1000 }, () => ledger.reserve(request(levels))));
        const admitted = results.filter((r) => r.ok).length;
        expect(admitted).toBe(K);
        for (const r of results) if (!r.ok) expect(r).toMatchObject({ levelIndex: 3, ruleId: levels[3]!.counters[0]!.ruleId });
        expect(await usedOf(ledger, levels)).toEqual(levels.map((l) => l.counters.map((c) => amount(l, c.unit) * BigInt(admitted))));
      });

      it('settles (below and above the reservation) and releases interleaved with reserves in flight end with exact counters', async () => {
        const ledger = await open();
        const levels = tightChain();
        const expected = levels.map((l) => l.counters.map(() => 0n));
        let admitted = 0;
        const outcomes = await Promise.all(
          Array.from({ length: 1000 }, async (_, n) => {
            const req = request(levels);
            const verdict = await ledger.reserve(req);
            if (!verdict.ok) return verdict.levelIndex === 3 ? 'refused' : `refused at level ${verdict.levelIndex}`;
            admitted++;
            if (n % 3 === 0) return ledger.release(req.requestId);
            // Alternately 40 % below and 25 % above what was reserved, at every level.
            const scale = (v: bigint) => (n % 2 === 0 ? (v * 60n) / 100n : (v * 125n) / 100n);
            const actualLevels = levels.map((l) => ({ credits: scale(l.credits), tokens: scale(l.tokens), requests: l.requests }));
            levels.forEach((l, i) => l.counters.forEach((c, j) => (expected[i]![j]! += amount(actualLevels[i]!, c.unit))));
            return ledger.settle(req.requestId, actual(actualLevels.map((a) => [a.credits, a.tokens, a.requests])));
          }),
        );
        expect(outcomes.every((o) => o === 'settled' || o === 'refused')).toBe(true);
        expect(admitted).toBeGreaterThanOrEqual(K);
        expect(await usedOf(ledger, levels)).toEqual(expected);
        // Everything was closed: nothing is left to reap.
        expect(await ledger.expired(Number.MAX_SAFE_INTEGER, 10_000)).toEqual([]);
      });
    });

    describe('idempotency', () => {
      it('a second reserve of the same id is a duplicate and counts nothing, also after the settle', async () => {
        const ledger = await open();
        const levels = [level('user', 100n, 0n, 1n, [rule('CREDITS', 1000n)])];
        const req = request(levels);
        expect(await ledger.reserve(req)).toEqual({ ok: true, duplicate: false });
        expect(await ledger.reserve(req)).toEqual({ ok: true, duplicate: true });
        expect(await usedOf(ledger, levels)).toEqual([[100n]]);
        await ledger.settle(req.requestId, actual([[80n, 0n, 1n]]));
        expect(await ledger.reserve(req)).toEqual({ ok: true, duplicate: true });
        expect(await usedOf(ledger, levels)).toEqual([[80n]]);
      });

      it('double settle, settle after release, release after settle and unknown ids are no-ops', async () => {
        const ledger = await open();
        const levels = [level('user', 100n, 0n, 1n, [rule('CREDITS', 1000n)])];
        const a = request(levels);
        await ledger.reserve(a);
        expect(await ledger.settle(a.requestId, actual([[70n, 0n, 1n]]))).toBe('settled');
        expect(await ledger.settle(a.requestId, actual([[90n, 0n, 1n]]))).toBe('already_settled');
        expect(await ledger.release(a.requestId)).toBe('already_settled');
        expect(await usedOf(ledger, levels)).toEqual([[70n]]);

        const b = request(levels);
        await ledger.reserve(b);
        expect(await ledger.release(b.requestId)).toBe('settled');
        expect(await ledger.settle(b.requestId, actual([[90n, 0n, 1n]]))).toBe('already_settled');
        expect(await ledger.release(b.requestId)).toBe('already_settled');
        expect(await usedOf(ledger, levels)).toEqual([[70n]]);

        expect(await ledger.settle(`unknown-${randomUUID()}`, actual([[1n, 0n, 1n]]))).toBe('unknown');
        expect(await ledger.release(`unknown-${randomUUID()}`)).toBe('unknown');
        expect(await usedOf(ledger, levels)).toEqual([[70n]]);
        // Exactly one event per closed request.
        expect((await drain(ledger, 'c1')).map((e) => e.event.requestId).sort()).toEqual([a.requestId, b.requestId].sort());
      });

      it('refuses malformed amounts and a settle with the wrong number of levels, changing nothing', async () => {
        const ledger = await open();
        const levels = [level('user', 100n, 0n, 1n, [rule('CREDITS', 1000n)])];
        await expect(ledger.reserve(request([{ ...levels[0]!, credits: -1n }]))).rejects.toThrow();
        await expect(ledger.reserve(request([{ ...levels[0]!, credits: 2n ** 53n }]))).rejects.toThrow();
        await expect(ledger.reserve(request([{ ...levels[0]!, credits: 1.5 as unknown as bigint }]))).rejects.toThrow();
        const req = request(levels);
        await ledger.reserve(req);
        await expect(ledger.settle(req.requestId, actual([[1n, 0n, 1n], [1n, 0n, 1n]]))).rejects.toThrow(/levels/);
        await expect(ledger.settle(req.requestId, actual([[-5n, 0n, 1n]]))).rejects.toThrow();
        expect(await usedOf(ledger, levels)).toEqual([[100n]]);
        expect(await ledger.settle(req.requestId, actual([[5n, 0n, 1n]]))).toBe('settled');
        expect(await usedOf(ledger, levels)).toEqual([[5n]]);
      });
    });

    describe('usage stream', () => {
      it('carries every settle and release exactly once, with the per-level amounts and accounts', async () => {
        const ledger = await open();
        const levels = [level('user', 100n, 10n, 1n, [rule('CREDITS', null)]), level('agent', 80n, 10n, 1n, [rule('CREDITS', null)])];
        const settled = Array.from({ length: 5 }, () => request(levels));
        const released = Array.from({ length: 2 }, () => request(levels));
        for (const r of [...settled, ...released]) await ledger.reserve(r);
        for (const [i, r] of settled.entries()) await ledger.settle(r.requestId, { ...actual([[BigInt(i + 1), 3n, 1n], [BigInt(i), 3n, 1n]]), inputTokens: 7n, cachedTokens: 2n, outputTokens: 3n, status: 'ok' });
        for (const r of released) await ledger.release(r.requestId);
        await ledger.settle(settled[0]!.requestId, actual([[9n, 9n, 1n], [9n, 9n, 1n]])); // duplicate: no second event

        const events = await drain(ledger, 'persister-1');
        expect(events.map((e) => e.event.requestId)).toEqual([...settled, ...released].map((r) => r.requestId));
        expect(new Set(events.map((e) => e.id)).size).toBe(7);
        const first = events[0]!.event;
        expect(first).toEqual({
          requestId: settled[0]!.requestId,
          meta: settled[0]!.meta,
          levels: [
            { accountId: levels[0]!.accountId, credits: 1n, tokens: 3n, requests: 1n },
            { accountId: levels[1]!.accountId, credits: 0n, tokens: 3n, requests: 1n },
          ],
          inputTokens: 7n,
          cachedTokens: 2n,
          outputTokens: 3n,
          status: 'ok',
          settledAt: expect.any(Number),
        });
        expect(events[5]!.event).toMatchObject({
          status: 'released',
          levels: [
            { accountId: levels[0]!.accountId, credits: 0n, tokens: 0n, requests: 0n },
            { accountId: levels[1]!.accountId, credits: 0n, tokens: 0n, requests: 0n },
          ],
        });
        // drain acked everything.
        expect(await ledger.readEvents('persister-1', 100, 0)).toEqual([]);
      });

      it('redelivers un-acked events to the same consumer (a crash before the ack) until they are acked', async () => {
        const ledger = await open();
        const levels = [level('user', 10n, 0n, 1n, [rule('CREDITS', null)])];
        const reqs = Array.from({ length: 5 }, () => request(levels));
        for (const r of reqs) {
          await ledger.reserve(r);
          await ledger.settle(r.requestId, actual([[10n, 0n, 1n]]));
        }
        const firstRead = await ledger.readEvents('worker-a', 3, 0);
        expect(firstRead.map((e) => e.event.requestId)).toEqual(reqs.slice(0, 3).map((r) => r.requestId));
        // worker-a "crashes"; when it comes back it gets the same three again.
        expect((await ledger.readEvents('worker-a', 10, 0)).map((e) => e.id)).toEqual(firstRead.map((e) => e.id));
        // Another consumer gets only what was never delivered.
        const other = await ledger.readEvents('worker-b', 10, 0);
        expect(other.map((e) => e.event.requestId)).toEqual(reqs.slice(3).map((r) => r.requestId));
        await ledger.ack(firstRead.slice(0, 2).map((e) => e.id));
        expect((await ledger.readEvents('worker-a', 10, 0)).map((e) => e.id)).toEqual([firstRead[2]!.id]);
        await ledger.ack([firstRead[2]!.id, ...other.map((e) => e.id)]);
        expect(await ledger.readEvents('worker-a', 10, 0)).toEqual([]);
        expect(await ledger.readEvents('worker-b', 10, 0)).toEqual([]);
      });

      it('a blocking read wakes up for a new event instead of waiting out its timeout', async () => {
        const ledger = await open();
        const levels = [level('user', 10n, 0n, 1n, [rule('CREDITS', null)])];
        const req = request(levels);
        await ledger.reserve(req);
        const started = Date.now();
        const reading = ledger.readEvents('blocker', 10, 5_000);
        setTimeout(() => void ledger.settle(req.requestId, actual([[10n, 0n, 1n]])), 100);
        const got = await reading;
        expect(got.map((e) => e.event.requestId)).toEqual([req.requestId]);
        expect(Date.now() - started).toBeLessThan(3_000);
        // And an empty read with a short block returns empty after about that long.
        await ledger.ack(got.map((e) => e.id));
        expect(await ledger.readEvents('blocker', 10, 50)).toEqual([]);
      });
    });

    describe('reaping and rebuild', () => {
      it('expired() returns only reservations past their deadline, oldest first, with their charges', async () => {
        const ledger = await open();
        const now = Date.now();
        const levels = [level('user', 123n, 45n, 1n, [rule('CREDITS', 10_000n), rule('TOKENS', null, windowEnd())]), level('agent', 100n, 45n, 1n, [rule('CREDITS', null)])];
        const late = request(levels, now - 10);
        const later = request(levels, now - 5_000);
        const future = request(levels, now + 60_000);
        for (const r of [late, later, future]) await ledger.reserve(r);

        const due = await ledger.expired(now, 10);
        expect(due.map((r) => r.requestId)).toEqual([later.requestId, late.requestId]);
        expect(due[0]).toEqual({ requestId: later.requestId, deadlineAt: later.deadlineAt, levels: later.levels, meta: later.meta });
        expect(await ledger.expired(now, 1)).toHaveLength(1);
        await ledger.settle(later.requestId, actual([[1n, 1n, 1n], [1n, 1n, 1n]]));
        expect((await ledger.expired(now, 10)).map((r) => r.requestId)).toEqual([late.requestId]);
        expect((await ledger.expired(now + 120_000, 10)).map((r) => r.requestId)).toEqual([late.requestId, future.requestId]);
      });

      it('replaceCounters sets every counter, drops open reservations, and used() reads the values back', async () => {
        const ledger = await open();
        expect(await ledger.isEmpty()).toBe(true);
        const lifetime = rule('CREDITS', 1000n);
        const windowed = rule('REQUESTS', 10n, windowEnd());
        const stale = rule('TOKENS', null, Date.now() - 3 * 86_400_000);
        const open1 = request([level('user', 100n, 0n, 1n, [lifetime, windowed])], Date.now() - 1);
        await ledger.reserve(open1);
        expect(await ledger.isEmpty()).toBe(false);

        await ledger.replaceCounters([
          { ruleId: lifetime.ruleId, windowId: lifetime.windowId, windowEndsAt: null, used: 900n },
          { ruleId: windowed.ruleId, windowId: windowed.windowId, windowEndsAt: windowed.windowEndsAt, used: 9n },
          // A window that ended days ago has nothing left to count.
          { ruleId: stale.ruleId, windowId: stale.windowId, windowEndsAt: stale.windowEndsAt, used: 5n },
        ]);
        expect(await ledger.used([lifetime, windowed, stale, rule('CREDITS', null)])).toEqual([900n, 9n, 0n, 0n]);
        expect(await ledger.expired(Number.MAX_SAFE_INTEGER, 100)).toEqual([]);
        expect(await ledger.settle(open1.requestId, actual([[1n, 0n, 1n]]))).toBe('unknown');
        // The rebuilt values are enforced.
        expect((await ledger.reserve(request([level('user', 100n, 0n, 1n, [lifetime, windowed])]))).ok).toBe(true);
        expect(await ledger.reserve(request([level('user', 1n, 0n, 1n, [lifetime, windowed])]))).toMatchObject({ ok: false, ruleId: lifetime.ruleId });
        expect(await ledger.isEmpty()).toBe(false);
      });
    });
  });
}

// ---- builders ---------------------------------------------------------------------------------

const HOUR = 3_600_000;

function windowEnd(): number {
  return Date.now() + HOUR;
}

/** A fresh rule (random id) with one counter; windowed when windowEndsAt is given. */
export function rule(unit: QuotaUnit, limit: bigint | null, windowEndsAt: number | null = null): CounterSpec {
  return {
    ruleId: `rule-${unit.toLowerCase()}-${randomUUID().slice(0, 8)}`,
    unit,
    limit,
    windowId: windowEndsAt === null ? 'life' : `w${Math.floor(windowEndsAt / HOUR)}`,
    windowEndsAt,
  };
}

export function level(name: string, credits: bigint, tokens: bigint, requests: bigint, counters: CounterSpec[]): LevelCharge {
  return { accountId: `${name}-${randomUUID().slice(0, 8)}`, credits, tokens, requests, counters };
}

export function request(levels: LevelCharge[], deadlineAt = Date.now() + 600_000): ReserveRequest {
  return { requestId: `req-${randomUUID()}`, levels, deadlineAt, meta: { accountId: levels[0]!.accountId, apiKeyId: 'key-1', model: 'gpt-test' } };
}

export function actual(levels: [bigint, bigint, bigint][]): ActualUsage {
  return {
    levels: levels.map(([credits, tokens, requests]) => ({ credits, tokens, requests })),
    inputTokens: 0n,
    cachedTokens: 0n,
    outputTokens: 0n,
    status: 'ok',
  };
}

function amount(l: ActualLevel, unit: QuotaUnit): bigint {
  return unit === 'CREDITS' ? l.credits : unit === 'TOKENS' ? l.tokens : l.requests;
}

/** used() of every counter, grouped by level. */
async function usedOf(ledger: LedgerDriver, levels: LevelCharge[]): Promise<bigint[][]> {
  const flat = await ledger.used(levels.flatMap((l) => l.counters));
  let i = 0;
  return levels.map((l) => l.counters.map(() => flat[i++]!));
}

/** Reads and acks until the stream has nothing more for this consumer. */
async function drain(ledger: LedgerDriver, consumer: string): Promise<StreamEntry[]> {
  const all: StreamEntry[] = [];
  for (;;) {
    const batch = await ledger.readEvents(consumer, 3, 0);
    if (batch.length === 0) return all;
    all.push(...batch);
    await ledger.ack(batch.map((e) => e.id));
  }
}
