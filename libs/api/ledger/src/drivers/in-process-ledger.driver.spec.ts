import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessLedgerDriver } from './in-process-ledger.driver.js';
import { actual, ledgerDriverContract, level, request, rule } from './ledger-driver.contract.js';

ledgerDriverContract('in-process', async () => new InProcessLedgerDriver());
ledgerDriverContract('in-process, journaled', async () => new InProcessLedgerDriver({ journalDir: tempDir() }));

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tg-ledger-journal-'));
  dirs.push(dir);
  return dir;
}

describe('InProcessLedgerDriver journal', () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a new instance on the same directory has the open reservations, counters, done markers and un-acked events', async () => {
    const dir = tempDir();
    let now = 1_700_000_000_000;
    const clock = () => now;
    const first = new InProcessLedgerDriver({ journalDir: dir, now: clock });
    const levels = [level('user', 100n, 20n, 1n, [rule('CREDITS', 1000n), rule('REQUESTS', 5n, now + 3_600_000)])];
    const open1 = request(levels, now + 1_000);
    const acked = request(levels);
    const unacked = request(levels);
    for (const r of [open1, acked, unacked]) expect((await first.reserve(r)).ok).toBe(true);
    await first.settle(acked.requestId, actual([[60n, 20n, 1n]]));
    await first.settle(unacked.requestId, actual([[70n, 20n, 1n]]));
    const read = await first.readEvents('p', 10, 0);
    expect(read).toHaveLength(2);
    await first.ack([read[0]!.id]);
    // No close(): the process "dies" here.

    const second = new InProcessLedgerDriver({ journalDir: dir, now: clock });
    expect(await second.used(levels[0]!.counters)).toEqual([230n, 3n]);
    expect(await second.expired(now, 10)).toEqual([]);
    now += 1_000;
    expect((await second.expired(now, 10)).map((r) => r.requestId)).toEqual([open1.requestId]);
    expect(await second.settle(acked.requestId, actual([[1n, 1n, 1n]]))).toBe('already_settled');
    expect(await second.reserve(unacked)).toEqual({ ok: true, duplicate: true });
    const redelivered = await second.readEvents('p', 10, 0);
    expect(redelivered.map((e) => e.event.requestId)).toEqual([unacked.requestId]);
    expect(redelivered[0]!.event.levels[0]!.credits).toBe(70n);
    expect(await second.isEmpty()).toBe(false);

    // The restored reservation settles normally, and its event gets a later stream id.
    expect(await second.release(open1.requestId)).toBe('settled');
    expect(await second.used(levels[0]!.counters)).toEqual([130n, 2n]);
    await second.ack(redelivered.map((e) => e.id));
    const released = await second.readEvents('p', 10, 0);
    expect(released.map((e) => e.event.status)).toEqual(['released']);
    expect(compareStreamIds(released[0]!.id, read[1]!.id)).toBeGreaterThan(0);
    await second.close();
    await first.close();
  });

  it('compacts the journal to the live state once it grows, without losing anything', async () => {
    const dir = tempDir();
    const ledger = new InProcessLedgerDriver({ journalDir: dir, compactAfterLines: 50 });
    const levels = [level('user', 10n, 0n, 1n, [rule('CREDITS', null)])];
    for (let i = 0; i < 200; i++) {
      const r = request(levels);
      await ledger.reserve(r);
      await ledger.settle(r.requestId, actual([[7n, 0n, 1n]]));
      await ledger.ack((await ledger.readEvents('p', 10, 0)).map((e) => e.id));
    }
    const pending = request(levels);
    await ledger.reserve(pending);
    await ledger.close();
    const lines = readFileSync(join(dir, 'ledger.journal.jsonl'), 'utf8').trim().split('\n');
    // Uncompacted it would be 601 lines; compaction keeps it within twice the live state (200 done markers + 3).
    expect(lines.length).toBeLessThanOrEqual(2 * 203);
    const reopened = new InProcessLedgerDriver({ journalDir: dir });
    expect(await reopened.used(levels[0]!.counters)).toEqual([1410n]);
    expect((await reopened.expired(Number.MAX_SAFE_INTEGER, 10)).map((r) => r.requestId)).toEqual([pending.requestId]);
    expect(await reopened.readEvents('p', 10, 0)).toEqual([]);
    await reopened.close();
  });

  it('forgets done markers and windowed counters when their time is over', async () => {
    let now = 1_700_000_000_000;
    const ledger = new InProcessLedgerDriver({ now: () => now, doneTtlMs: 1_000 });
    const windowed = rule('REQUESTS', 1n, now + 10_000);
    const levels = [level('user', 0n, 0n, 1n, [windowed])];
    const req = request(levels);
    await ledger.reserve(req);
    await ledger.settle(req.requestId, actual([[0n, 0n, 1n]]));
    expect(await ledger.settle(req.requestId, actual([[0n, 0n, 1n]]))).toBe('already_settled');
    now += 1_000;
    expect(await ledger.settle(req.requestId, actual([[0n, 0n, 1n]]))).toBe('unknown');
    expect(await ledger.used([windowed])).toEqual([1n]);
    now += 10_000 + 86_400_000; // window end + a day of grace
    expect(await ledger.used([windowed])).toEqual([0n]);
    await ledger.close();
  });
});

function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}
