import { describe, expect, it } from 'vitest';
import { InProcessLedgerDriver } from '../drivers/in-process-ledger.driver.js';
import type { QuotaRule } from '@tiergate/api-db';
import { counterOf, shapeOf } from './rule-shape.js';

type RuleRow = Pick<QuotaRule, 'id' | 'unit' | 'windowKind' | 'calendarPeriod' | 'intervalHours' | 'anchor' | 'timezone' | 'limit'>;

const daily: RuleRow = { id: 'r-day', unit: 'REQUESTS', windowKind: 'CALENDAR', calendarPeriod: 'DAY', timezone: 'Asia/Shanghai', anchor: null, intervalHours: null, limit: 2n };
const fiveHourly: RuleRow = { id: 'r-5h', unit: 'REQUESTS', windowKind: 'FIXED_INTERVAL', calendarPeriod: null, timezone: null, intervalHours: 5, anchor: new Date('2026-11-01T00:00:00Z'), limit: 1n };

/** The fake clock the ledger reads, so counter expiry follows the test's time, not the wall clock. */
let clock = 0;
const fakeClockLedger = () => new InProcessLedgerDriver({ now: () => clock });

/** Reserve one request against the rule's counter as it is at `now`. */
async function tryAt(ledger: InProcessLedgerDriver, rule: RuleRow, now: string, id: string) {
  clock = Date.parse(now);
  return ledger.reserve({
    requestId: id,
    levels: [{ accountId: 'a', credits: 0n, tokens: 0n, requests: 1n, counters: [counterOf(rule, new Date(now))] }],
    deadlineAt: Date.parse(now) + 60_000,
    meta: { accountId: 'a', model: 'm' },
  });
}

describe('rule windows on the ledger, with a fake clock and no reset job', () => {
  it('rolls a Shanghai calendar day over at 16:00Z: the new day starts at zero', async () => {
    const ledger = fakeClockLedger();
    expect((await tryAt(ledger, daily, '2026-11-22T15:00:00.000Z', 'a1')).ok).toBe(true);
    expect((await tryAt(ledger, daily, '2026-11-22T15:59:59.000Z', 'a2')).ok).toBe(true);
    expect((await tryAt(ledger, daily, '2026-11-22T15:59:59.999Z', 'a3')).ok).toBe(false);
    expect((await tryAt(ledger, daily, '2026-11-22T16:00:00.000Z', 'a4')).ok).toBe(true);
    expect(counterOf(daily, new Date('2026-11-22T15:59:59.999Z')).resetsAt?.toISOString()).toBe('2026-11-22T16:00:00.000Z');
  });

  it('rolls a 5-hour interval over exactly at anchor + 5h·k', async () => {
    const ledger = fakeClockLedger();
    expect((await tryAt(ledger, fiveHourly, '2026-11-22T00:00:00.000Z', 'b1')).ok).toBe(true); // window [20:00, 01:00)
    expect((await tryAt(ledger, fiveHourly, '2026-11-22T00:59:59.999Z', 'b2')).ok).toBe(false);
    expect((await tryAt(ledger, fiveHourly, '2026-11-22T01:00:00.000Z', 'b3')).ok).toBe(true);
    expect(counterOf(fiveHourly, new Date('2026-11-22T01:00:00.000Z')).resetsAt?.toISOString()).toBe('2026-11-22T06:00:00.000Z');
  });

  it('gives each unit and window one canonical shape', () => {
    expect(shapeOf('CREDITS', { kind: 'LIFETIME' })).toBe('CREDITS/LIFETIME');
    expect(shapeOf('REQUESTS', { kind: 'FIXED_INTERVAL', hours: 5, anchor: new Date('2026-01-01T00:00:00Z') })).toBe('REQUESTS/FIXED_INTERVAL/5/2026-01-01T00:00:00.000Z');
    expect(shapeOf('TOKENS', { kind: 'CALENDAR', period: 'WEEK', timezone: 'UTC' })).toBe('TOKENS/CALENDAR/WEEK/UTC/');
  });
});
