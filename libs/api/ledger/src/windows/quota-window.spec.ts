import { InvalidInputError } from '@tiergate/api-core';
import { describe, expect, it } from 'vitest';
import {
  MAX_INTERVAL_HOURS,
  type QuotaWindow,
  resetWindowCache,
  validateWindow,
  windowAt as memoisedWindowAt,
  type WindowBounds,
} from './quota-window.js';

/** Every expectation below resolves from scratch, so the memo cannot hide a resolution bug. */
function windowAt(window: QuotaWindow, now: Date): WindowBounds {
  resetWindowCache();
  return memoisedWindowAt(window, now);
}

const HOUR = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const plain = (b: WindowBounds): { id: string; startsAt: string | null; endsAt: string | null } => ({
  id: b.id,
  startsAt: iso(b.startsAt),
  endsAt: iso(b.endsAt),
});
const hoursOf = (b: WindowBounds): number => (b.endsAt!.getTime() - b.startsAt!.getTime()) / HOUR;

/** The zone's wall clock at an instant, as 'YYYY-MM-DD HH:mm:ss', computed independently of the module. */
function localTime(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

const day = (timezone: string, anchor?: Date): QuotaWindow => ({ kind: 'CALENDAR', period: 'DAY', timezone, anchor });
const week = (timezone: string, anchor?: Date): QuotaWindow => ({ kind: 'CALENDAR', period: 'WEEK', timezone, anchor });
const month = (timezone: string, anchor?: Date): QuotaWindow => ({ kind: 'CALENDAR', period: 'MONTH', timezone, anchor });

/**
 * Walks `count` consecutive windows from `from` and checks the invariants every rule must hold:
 * now ∈ [start, end); one id for the whole window; the next window starts exactly at `end`
 * with a different id; no id repeats.
 */
function walk(window: QuotaWindow, from: Date, count: number): WindowBounds[] {
  const seen = new Set<string>();
  const out: WindowBounds[] = [];
  let w = windowAt(window, from);
  expect(w.startsAt!.getTime()).toBeLessThanOrEqual(from.getTime());
  expect(w.endsAt!.getTime()).toBeGreaterThan(from.getTime());
  for (let n = 0; n < count; n++) {
    const start = w.startsAt!;
    const end = w.endsAt!;
    expect(end.getTime()).toBeGreaterThan(start.getTime());
    expect(windowAt(window, start)).toEqual(w);
    expect(windowAt(window, new Date(end.getTime() - 1))).toEqual(w);
    expect(windowAt(window, new Date((start.getTime() + end.getTime()) / 2))).toEqual(w);
    expect(seen.has(w.id)).toBe(false);
    seen.add(w.id);
    out.push(w);
    const next = windowAt(window, end);
    expect(next.startsAt).toEqual(end);
    expect(next.id).not.toBe(w.id);
    w = next;
  }
  return out;
}

describe('windowAt — LIFETIME', () => {
  it('is one window forever, with id "life" and no bounds', () => {
    for (const t of ['1970-01-01T00:00:00Z', '2026-11-22T16:00:00Z', '2999-12-31T23:59:59.999Z']) {
      expect(windowAt({ kind: 'LIFETIME' }, at(t))).toEqual({ id: 'life', startsAt: null, endsAt: null });
    }
  });
});

describe('windowAt — CALENDAR DAY', () => {
  it('rolls over at local midnight in Asia/Shanghai (UTC+8), i.e. 16:00:00.000Z', () => {
    const before = windowAt(day('Asia/Shanghai'), at('2026-11-22T15:59:59.999Z'));
    const after = windowAt(day('Asia/Shanghai'), at('2026-11-22T16:00:00.000Z'));
    expect(plain(before)).toEqual({ id: 'd20261122', startsAt: '2026-11-21T16:00:00.000Z', endsAt: '2026-11-22T16:00:00.000Z' });
    expect(plain(after)).toEqual({ id: 'd20261123', startsAt: '2026-11-22T16:00:00.000Z', endsAt: '2026-11-23T16:00:00.000Z' });
    expect(after.id).not.toBe(before.id);
    // Same window, same id, from its first to its last millisecond.
    expect(windowAt(day('Asia/Shanghai'), at('2026-11-21T16:00:00.000Z')).id).toBe('d20261122');
    expect(windowAt(day('Asia/Shanghai'), at('2026-11-22T08:00:00.000Z')).id).toBe('d20261122');
  });

  it('UTC days are the plain UTC dates', () => {
    expect(plain(windowAt(day('UTC'), at('2026-11-22T00:00:00.000Z')))).toEqual({
      id: 'd20261122',
      startsAt: '2026-11-22T00:00:00.000Z',
      endsAt: '2026-11-23T00:00:00.000Z',
    });
    expect(windowAt(day('UTC'), at('2026-11-21T23:59:59.999Z')).id).toBe('d20261121');
  });

  it('America/New_York: the spring-forward day lasts 23 hours (2026-03-08)', () => {
    const w = windowAt(day('America/New_York'), at('2026-03-08T12:00:00Z'));
    // 00:00 EST (UTC−5) → 00:00 EDT (UTC−4) next day.
    expect(plain(w)).toEqual({ id: 'd20260308', startsAt: '2026-03-08T05:00:00.000Z', endsAt: '2026-03-09T04:00:00.000Z' });
    expect(hoursOf(w)).toBe(23);
    // Either side of the jump 01:59:59.999 EST → 03:00:00 EDT: same window.
    expect(windowAt(day('America/New_York'), at('2026-03-08T06:59:59.999Z')).id).toBe('d20260308');
    expect(windowAt(day('America/New_York'), at('2026-03-08T07:00:00.000Z')).id).toBe('d20260308');
    // Neighbours are 24 h.
    expect(hoursOf(windowAt(day('America/New_York'), at('2026-03-07T12:00:00Z')))).toBe(24);
    expect(hoursOf(windowAt(day('America/New_York'), at('2026-03-09T12:00:00Z')))).toBe(24);
    expect(windowAt(day('America/New_York'), at('2026-03-08T04:59:59.999Z')).id).toBe('d20260307');
    expect(windowAt(day('America/New_York'), at('2026-03-09T04:00:00.000Z')).id).toBe('d20260309');
  });

  it('America/New_York: the fall-back day lasts 25 hours (2026-11-01), the repeated hour stays in it', () => {
    const w = windowAt(day('America/New_York'), at('2026-11-01T12:00:00Z'));
    // 00:00 EDT (UTC−4) → 00:00 EST (UTC−5) next day.
    expect(plain(w)).toEqual({ id: 'd20261101', startsAt: '2026-11-01T04:00:00.000Z', endsAt: '2026-11-02T05:00:00.000Z' });
    expect(hoursOf(w)).toBe(25);
    // 01:30 EDT and 01:30 EST: both in the same day.
    expect(windowAt(day('America/New_York'), at('2026-11-01T05:30:00Z')).id).toBe('d20261101');
    expect(windowAt(day('America/New_York'), at('2026-11-01T06:30:00Z')).id).toBe('d20261101');
    expect(windowAt(day('America/New_York'), at('2026-11-01T03:59:59.999Z')).id).toBe('d20261031');
    expect(windowAt(day('America/New_York'), at('2026-11-02T04:59:59.999Z')).id).toBe('d20261101');
    expect(windowAt(day('America/New_York'), at('2026-11-02T05:00:00.000Z')).id).toBe('d20261102');
  });

  it('where local midnight does not exist, the day starts at the first instant after it (America/Sao_Paulo 2018-11-04)', () => {
    // 2018-11-03 23:59:59 −03 is followed by 2018-11-04 01:00:00 −02 (at 03:00Z).
    const skipped = windowAt(day('America/Sao_Paulo'), at('2018-11-04T12:00:00Z'));
    expect(plain(skipped)).toEqual({ id: 'd20181104', startsAt: '2018-11-04T03:00:00.000Z', endsAt: '2018-11-05T02:00:00.000Z' });
    expect(localTime(skipped.startsAt!, 'America/Sao_Paulo')).toBe('2018-11-04 01:00:00');
    expect(hoursOf(skipped)).toBe(23);
    expect(plain(windowAt(day('America/Sao_Paulo'), at('2018-11-04T02:59:59.999Z')))).toEqual({
      id: 'd20181103',
      startsAt: '2018-11-03T03:00:00.000Z',
      endsAt: '2018-11-04T03:00:00.000Z',
    });
  });

  it('where midnight repeats, the day starts at its first occurrence (America/Sao_Paulo 2019-02-16/17)', () => {
    // 2019-02-17 00:00 −02 (02:00Z) is set back to 2019-02-16 23:00 −03: 23:xx happens twice.
    const w = windowAt(day('America/Sao_Paulo'), at('2019-02-16T12:00:00Z'));
    expect(plain(w)).toEqual({ id: 'd20190216', startsAt: '2019-02-16T02:00:00.000Z', endsAt: '2019-02-17T03:00:00.000Z' });
    expect(hoursOf(w)).toBe(25);
    expect(windowAt(day('America/Sao_Paulo'), at('2019-02-17T01:30:00Z')).id).toBe('d20190216'); // 23:30 −02
    expect(windowAt(day('America/Sao_Paulo'), at('2019-02-17T02:30:00Z')).id).toBe('d20190216'); // 23:30 −03
    expect(windowAt(day('America/Sao_Paulo'), at('2019-02-17T03:00:00Z')).id).toBe('d20190217');
  });

  it('a local date that never happened gets no window (Pacific/Apia skipped 2011-12-30)', () => {
    // 2011-12-29 23:59:59.999 −10 is followed by 2011-12-31 00:00 +14 (at 10:00Z on the 30th).
    expect(plain(windowAt(day('Pacific/Apia'), at('2011-12-30T09:59:59.999Z')))).toEqual({
      id: 'd20111229',
      startsAt: '2011-12-29T10:00:00.000Z',
      endsAt: '2011-12-30T10:00:00.000Z',
    });
    expect(plain(windowAt(day('Pacific/Apia'), at('2011-12-30T10:00:00.000Z')))).toEqual({
      id: 'd20111231',
      startsAt: '2011-12-30T10:00:00.000Z',
      endsAt: '2011-12-31T10:00:00.000Z',
    });
  });

  it("an anchor sets the local time-of-day the day starts at", () => {
    const rule = day('UTC', at('2020-05-05T09:30:00Z'));
    expect(plain(windowAt(rule, at('2026-11-22T09:29:59.999Z')))).toEqual({
      id: 'd20261121',
      startsAt: '2026-11-21T09:30:00.000Z',
      endsAt: '2026-11-22T09:30:00.000Z',
    });
    expect(windowAt(rule, at('2026-11-22T09:30:00.000Z')).id).toBe('d20261122');
    // The anchor's time-of-day is read in the rule's zone: 09:30Z is 17:30 in Shanghai.
    const sh = day('Asia/Shanghai', at('2020-05-05T09:30:00Z'));
    expect(plain(windowAt(sh, at('2026-11-22T09:30:00.000Z')))).toEqual({
      id: 'd20261122',
      startsAt: '2026-11-22T09:30:00.000Z',
      endsAt: '2026-11-23T09:30:00.000Z',
    });
    expect(localTime(windowAt(sh, at('2026-11-22T09:30:00Z')).startsAt!, 'Asia/Shanghai')).toBe('2026-11-22 17:30:00');
  });

  it('an anchored day starting inside a DST gap starts at the transition; in a repeated hour at its first occurrence', () => {
    // Days start at 02:30 New York time.
    const ny = day('America/New_York', at('2026-01-15T07:30:00Z')); // 02:30 EST
    // 2026-03-08 02:30 does not exist: the day starts at 03:00 EDT = 07:00Z.
    expect(plain(windowAt(ny, at('2026-03-08T06:59:59.999Z')))).toEqual({
      id: 'd20260307',
      startsAt: '2026-03-07T07:30:00.000Z',
      endsAt: '2026-03-08T07:00:00.000Z',
    });
    expect(plain(windowAt(ny, at('2026-03-08T07:00:00.000Z')))).toEqual({
      id: 'd20260308',
      startsAt: '2026-03-08T07:00:00.000Z',
      endsAt: '2026-03-09T06:30:00.000Z',
    });
    // Days start at 01:30 New York time; on 2026-11-01 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    const ny130 = day('America/New_York', at('2026-01-15T06:30:00Z')); // 01:30 EST
    const fallBack = windowAt(ny130, at('2026-11-01T06:00:00Z'));
    expect(plain(fallBack)).toEqual({ id: 'd20261101', startsAt: '2026-11-01T05:30:00.000Z', endsAt: '2026-11-02T06:30:00.000Z' });
    expect(hoursOf(fallBack)).toBe(25);
    expect(windowAt(ny130, at('2026-11-01T05:29:59.999Z')).id).toBe('d20261031');
  });

  it('consecutive New York days over a year: ids distinct, contiguous, 23/24/25 h, each starting at local midnight', () => {
    const days = walk(day('America/New_York'), at('2026-01-01T12:00:00Z'), 366);
    const lengths = days.map(hoursOf);
    expect(lengths.filter((h) => h === 23)).toHaveLength(1);
    expect(lengths.filter((h) => h === 25)).toHaveLength(1);
    expect(lengths.filter((h) => h === 24)).toHaveLength(364);
    for (const d of days) {
      expect(localTime(d.startsAt!, 'America/New_York')).toBe(`${d.id.slice(1, 5)}-${d.id.slice(5, 7)}-${d.id.slice(7, 9)} 00:00:00`);
    }
    expect(days[0]!.id).toBe('d20260101');
    expect(days[365]!.id).toBe('d20270101');
  });
});

describe('windowAt — CALENDAR WEEK', () => {
  // 2026-11-22 is a Sunday.
  it('defaults to weeks starting Monday 00:00', () => {
    expect(plain(windowAt(week('UTC'), at('2026-11-22T12:00:00Z')))).toEqual({
      id: 'w20261116',
      startsAt: '2026-11-16T00:00:00.000Z',
      endsAt: '2026-11-23T00:00:00.000Z',
    });
    expect(windowAt(week('UTC'), at('2026-11-22T23:59:59.999Z')).id).toBe('w20261116');
    expect(windowAt(week('UTC'), at('2026-11-23T00:00:00.000Z')).id).toBe('w20261123');
    expect(windowAt(week('UTC'), at('2026-11-16T00:00:00.000Z')).id).toBe('w20261116');
    expect(windowAt(week('UTC'), at('2026-11-15T23:59:59.999Z')).id).toBe('w20261109');
  });

  it('a Monday anchor gives the same weeks as the default', () => {
    const monday = week('UTC', at('2026-01-05T15:00:00Z'));
    expect(windowAt(monday, at('2026-11-22T12:00:00Z'))).toEqual(windowAt(week('UTC'), at('2026-11-22T12:00:00Z')));
  });

  it('a Sunday anchor starts weeks on Sunday', () => {
    const sunday = week('UTC', at('2026-11-01T12:00:00Z'));
    expect(plain(windowAt(sunday, at('2026-11-22T12:00:00Z')))).toEqual({
      id: 'w20261122',
      startsAt: '2026-11-22T00:00:00.000Z',
      endsAt: '2026-11-29T00:00:00.000Z',
    });
    expect(plain(windowAt(sunday, at('2026-11-21T23:59:59.999Z')))).toEqual({
      id: 'w20261115',
      startsAt: '2026-11-15T00:00:00.000Z',
      endsAt: '2026-11-22T00:00:00.000Z',
    });
  });

  it("reads the anchor's weekday in the rule's zone, and rolls over at local midnight", () => {
    // Saturday 18:00Z is Sunday 02:00 in Shanghai: weeks start Sunday 00:00 local = Saturday 16:00Z.
    const rule = week('Asia/Shanghai', at('2026-11-07T18:00:00Z'));
    expect(plain(windowAt(rule, at('2026-11-21T16:00:00.000Z')))).toEqual({
      id: 'w20261122',
      startsAt: '2026-11-21T16:00:00.000Z',
      endsAt: '2026-11-28T16:00:00.000Z',
    });
    expect(windowAt(rule, at('2026-11-21T15:59:59.999Z')).id).toBe('w20261115');
  });

  it('a week containing a DST change lasts 7 days ± 1 hour (America/New_York)', () => {
    const spring = windowAt(week('America/New_York'), at('2026-03-08T12:00:00Z'));
    expect(plain(spring)).toEqual({ id: 'w20260302', startsAt: '2026-03-02T05:00:00.000Z', endsAt: '2026-03-09T04:00:00.000Z' });
    expect(hoursOf(spring)).toBe(7 * 24 - 1);
    const autumn = windowAt(week('America/New_York'), at('2026-11-01T12:00:00Z'));
    expect(plain(autumn)).toEqual({ id: 'w20261026', startsAt: '2026-10-26T04:00:00.000Z', endsAt: '2026-11-02T05:00:00.000Z' });
    expect(hoursOf(autumn)).toBe(7 * 24 + 1);
  });

  it('consecutive weeks across a year boundary: distinct ids, contiguous', () => {
    const weeks = walk(week('Europe/Berlin', at('2026-11-01T12:00:00Z')), at('2026-10-01T00:00:00Z'), 60);
    for (const w of weeks) {
      expect(localTime(w.startsAt!, 'Europe/Berlin').endsWith(' 00:00:00')).toBe(true);
      expect(w.startsAt!.getUTCDay() === 6 || w.startsAt!.getUTCDay() === 0).toBe(true); // Sunday 00:00 Berlin = Saturday 22:00/23:00Z
    }
    expect(weeks.map((w) => w.id)).toContain('w20261227');
    expect(weeks.map((w) => w.id)).toContain('w20270103');
  });
});

describe('windowAt — CALENDAR MONTH', () => {
  it('defaults to months starting on the 1st at local midnight', () => {
    expect(plain(windowAt(month('Asia/Shanghai'), at('2026-11-30T15:59:59.999Z')))).toEqual({
      id: 'm202611',
      startsAt: '2026-10-31T16:00:00.000Z',
      endsAt: '2026-11-30T16:00:00.000Z',
    });
    expect(plain(windowAt(month('Asia/Shanghai'), at('2026-11-30T16:00:00.000Z')))).toEqual({
      id: 'm202612',
      startsAt: '2026-11-30T16:00:00.000Z',
      endsAt: '2026-12-31T16:00:00.000Z',
    });
    expect(plain(windowAt(month('America/New_York'), at('2026-03-15T00:00:00Z')))).toEqual({
      id: 'm202603',
      startsAt: '2026-03-01T05:00:00.000Z',
      endsAt: '2026-04-01T04:00:00.000Z',
    });
  });

  it('anchor day 31 is clamped to the length of shorter months', () => {
    const rule = month('UTC', at('2025-08-31T10:00:00Z'));
    const cases: [string, string, string, string][] = [
      // now, id, startsAt, endsAt
      ['2026-01-31T00:00:00.000Z', 'm202601', '2026-01-31', '2026-02-28'],
      ['2026-02-15T00:00:00.000Z', 'm202601', '2026-01-31', '2026-02-28'],
      ['2026-02-27T23:59:59.999Z', 'm202601', '2026-01-31', '2026-02-28'],
      ['2026-02-28T00:00:00.000Z', 'm202602', '2026-02-28', '2026-03-31'],
      ['2026-03-30T23:59:59.999Z', 'm202602', '2026-02-28', '2026-03-31'],
      ['2026-03-31T00:00:00.000Z', 'm202603', '2026-03-31', '2026-04-30'],
      ['2026-04-30T00:00:00.000Z', 'm202604', '2026-04-30', '2026-05-31'],
      ['2026-12-31T00:00:00.000Z', 'm202612', '2026-12-31', '2027-01-31'],
      ['2027-01-30T23:59:59.999Z', 'm202612', '2026-12-31', '2027-01-31'],
      ['2027-01-31T00:00:00.000Z', 'm202701', '2027-01-31', '2027-02-28'],
      // 2028 is a leap year: February's window starts on the 29th.
      ['2028-02-28T23:59:59.999Z', 'm202801', '2028-01-31', '2028-02-29'],
      ['2028-02-29T00:00:00.000Z', 'm202802', '2028-02-29', '2028-03-31'],
    ];
    for (const [now, id, start, end] of cases) {
      expect(plain(windowAt(rule, at(now))), now).toEqual({ id, startsAt: `${start}T00:00:00.000Z`, endsAt: `${end}T00:00:00.000Z` });
    }
  });

  it("reads the anchor's day-of-month in the rule's zone", () => {
    // 2026-01-30T20:00Z is the 31st in Shanghai.
    const rule = month('Asia/Shanghai', at('2026-01-30T20:00:00Z'));
    expect(plain(windowAt(rule, at('2026-04-15T00:00:00Z')))).toEqual({
      id: 'm202603',
      startsAt: '2026-03-30T16:00:00.000Z', // 03-31 00:00 +08
      endsAt: '2026-04-29T16:00:00.000Z', // 04-30 00:00 +08
    });
  });

  it('consecutive months over three years: distinct ids, contiguous, 28–31 days (± DST hour)', () => {
    const months = walk(month('Europe/Berlin', at('2026-01-31T12:00:00Z')), at('2026-01-01T00:00:00Z'), 36);
    expect(months[0]!.id).toBe('m202512');
    expect(months[35]!.id).toBe('m202811');
    for (const m of months) {
      const days = hoursOf(m) / 24;
      expect(days).toBeGreaterThanOrEqual(28 - 1 / 24);
      expect(days).toBeLessThanOrEqual(31 + 1 / 24);
      expect(localTime(m.startsAt!, 'Europe/Berlin').endsWith(' 00:00:00')).toBe(true);
    }
  });
});

describe('windowAt — FIXED_INTERVAL', () => {
  const anchor = at('2026-11-22T03:17:42.123Z');
  const rule: QuotaWindow = { kind: 'FIXED_INTERVAL', hours: 5, anchor };
  const plus = (ms: number): Date => new Date(anchor.getTime() + ms);

  it('rolls over exactly at anchor + 5h·k', () => {
    expect(plain(windowAt(rule, anchor))).toEqual({ id: 'i0', startsAt: '2026-11-22T03:17:42.123Z', endsAt: '2026-11-22T08:17:42.123Z' });
    expect(windowAt(rule, plus(5 * HOUR - 1)).id).toBe('i0');
    expect(plain(windowAt(rule, plus(5 * HOUR)))).toEqual({ id: 'i1', startsAt: '2026-11-22T08:17:42.123Z', endsAt: '2026-11-22T13:17:42.123Z' });
    expect(windowAt(rule, plus(10 * HOUR - 1)).id).toBe('i1');
    expect(windowAt(rule, plus(10 * HOUR)).id).toBe('i2');
    expect(plain(windowAt(rule, plus(1000 * 5 * HOUR + 7)))).toEqual({
      id: 'i1000',
      startsAt: plus(1000 * 5 * HOUR).toISOString(),
      endsAt: plus(1001 * 5 * HOUR).toISOString(),
    });
  });

  it('covers instants before the anchor with negative indices', () => {
    expect(plain(windowAt(rule, plus(-1)))).toEqual({ id: 'i-1', startsAt: '2026-11-21T22:17:42.123Z', endsAt: '2026-11-22T03:17:42.123Z' });
    expect(windowAt(rule, plus(-5 * HOUR)).id).toBe('i-1');
    expect(windowAt(rule, plus(-5 * HOUR - 1)).id).toBe('i-2');
    expect(plain(windowAt(rule, at('2000-01-01T00:00:00Z'))).startsAt! <= '2000-01-01T00:00:00.000Z').toBe(true);
  });

  it('ignores time zones and DST: every window is exactly `hours` long', () => {
    const windows = walk(rule, at('2026-10-30T00:00:00Z'), 200);
    for (const w of windows) expect(hoursOf(w)).toBe(5);
    const hourly = walk({ kind: 'FIXED_INTERVAL', hours: 1, anchor: at('2026-01-01T00:00:00Z') }, at('2026-03-08T00:00:00Z'), 48);
    expect(hourly[0]!.id).toBe(`i${66 * 24}`);
  });
});

describe('windowAt — any zone', () => {
  it('every IANA zone: now ∈ [start, end), the next window starts at end, calendar windows start at local midnight or a transition', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    expect(zones.length).toBeGreaterThan(300);
    const instants = [at('2026-03-29T01:30:00Z'), at('2026-10-25T00:45:00Z'), at('2026-12-31T23:59:59.999Z')];
    for (const tz of zones) {
      for (const rule of [day(tz), week(tz), month(tz)]) {
        for (const now of instants) {
          const w = windowAt(rule, now);
          const label = `${tz} ${now.toISOString()}`;
          expect(w.startsAt!.getTime(), label).toBeLessThanOrEqual(now.getTime());
          expect(w.endsAt!.getTime(), label).toBeGreaterThan(now.getTime());
          const next = windowAt(rule, w.endsAt!);
          expect(next.startsAt, label).toEqual(w.endsAt);
          expect(next.id, label).not.toBe(w.id);
          const local = localTime(w.startsAt!, tz);
          const justBefore = localTime(new Date(w.startsAt!.getTime() - 1), tz);
          // Either the window starts at local midnight, or midnight was skipped and it starts at the jump.
          expect(local.endsWith(' 00:00:00') || justBefore.slice(0, 10) < local.slice(0, 10), `${label} ${local}`).toBe(true);
        }
      }
    }
  });

  it('zones whose DST changes happen at midnight: two years of days are contiguous and each day starts at midnight or at the jump', () => {
    let startsAtJump = 0;
    for (const tz of ['America/Havana', 'America/Santiago', 'Asia/Beirut', 'Africa/Cairo', 'Atlantic/Azores', 'America/Sao_Paulo']) {
      const days = walk(day(tz), at('2018-06-01T12:00:00Z'), 366 * 2);
      for (const d of days) {
        const local = localTime(d.startsAt!, tz);
        const justBefore = localTime(new Date(d.startsAt!.getTime() - 1), tz);
        if (!local.endsWith(' 00:00:00')) {
          startsAtJump++;
          expect(justBefore.slice(0, 10) < local.slice(0, 10), `${tz} ${local}`).toBe(true);
          expect(local.slice(11), `${tz} ${local}`).toBe('01:00:00');
        }
        expect([23, 24, 25]).toContain(hoursOf(d));
      }
    }
    // Spring-forward days that skip midnight in 2018-06…2020-06: Havana ×2, Santiago ×2, Beirut ×2, Azores ×2, Sao Paulo ×1.
    expect(startsAtJump).toBe(9);
  });
});

describe('windowAt — memo', () => {
  it('answers exactly as a fresh resolution, for random instants and rules (seeded)', () => {
    let seed = 0x2f6b_1a3d;
    const next = (): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
    };
    const rules = [
      day('America/New_York'),
      day('Asia/Kolkata', at('2026-01-01T00:00:00Z')),
      week('Europe/London', at('2026-11-01T12:00:00Z')),
      month('Australia/Lord_Howe', at('2026-01-31T00:00:00Z')),
    ];
    const base = at('2026-01-01T00:00:00Z').getTime();
    const queries: [QuotaWindow, Date][] = [];
    let t = base;
    for (let n = 0; n < 3000; n++) {
      // Mostly small steps (same window: memo hits), sometimes a jump anywhere in two years.
      t = next() < 0.9 ? t + Math.floor(next() * 6 * HOUR) : base + Math.floor(next() * 2 * 365 * 24 * HOUR);
      queries.push([rules[Math.floor(next() * rules.length)]!, new Date(t)]);
    }
    resetWindowCache();
    const memo = queries.map(([rule, now]) => memoisedWindowAt(rule, now));
    const fresh = queries.map(([rule, now]) => windowAt(rule, now));
    expect(memo).toEqual(fresh);
  });

  it('returns fresh Date objects, so a caller mutating them cannot corrupt the memo', () => {
    const rule = day('UTC');
    const first = memoisedWindowAt(rule, at('2026-11-22T10:00:00Z'));
    first.startsAt!.setTime(0);
    expect(memoisedWindowAt(rule, at('2026-11-22T11:00:00Z')).startsAt).toEqual(at('2026-11-22T00:00:00Z'));
  });
});

describe('validateWindow', () => {
  const refusals: [string, unknown, RegExp][] = [
    ['unknown zone', { kind: 'CALENDAR', period: 'DAY', timezone: 'Mars/Olympus_Mons' }, /Unknown time zone "Mars\/Olympus_Mons"/],
    ['offset instead of a zone', { kind: 'CALENDAR', period: 'DAY', timezone: '+08:00' }, /Unknown time zone/],
    ['empty zone', { kind: 'CALENDAR', period: 'WEEK', timezone: '' }, /timezone must be an IANA zone name/],
    ['missing zone', { kind: 'CALENDAR', period: 'WEEK' }, /timezone must be an IANA zone name/],
    ['unknown period', { kind: 'CALENDAR', period: 'YEAR', timezone: 'UTC' }, /period must be DAY, WEEK or MONTH, got "YEAR"/],
    ['invalid calendar anchor', { kind: 'CALENDAR', period: 'MONTH', timezone: 'UTC', anchor: new Date('nope') }, /anchor must be a valid Date, got Invalid Date/],
    ['calendar anchor not a Date', { kind: 'CALENDAR', period: 'MONTH', timezone: 'UTC', anchor: '2026-01-31' }, /anchor must be a valid Date/],
    ['zero hours', { kind: 'FIXED_INTERVAL', hours: 0, anchor: new Date(0) }, /hours must be a positive integer, got 0/],
    ['negative hours', { kind: 'FIXED_INTERVAL', hours: -5, anchor: new Date(0) }, /hours must be a positive integer, got -5/],
    ['fractional hours', { kind: 'FIXED_INTERVAL', hours: 1.5, anchor: new Date(0) }, /hours must be a positive integer, got 1.5/],
    ['NaN hours', { kind: 'FIXED_INTERVAL', hours: Number.NaN, anchor: new Date(0) }, /hours must be a positive integer, got NaN/],
    ['string hours', { kind: 'FIXED_INTERVAL', hours: '5', anchor: new Date(0) }, /hours must be a positive integer, got "5"/],
    ['too many hours', { kind: 'FIXED_INTERVAL', hours: MAX_INTERVAL_HOURS + 1, anchor: new Date(0) }, /hours must be at most 876600/],
    ['missing anchor', { kind: 'FIXED_INTERVAL', hours: 5 }, /anchor must be a valid Date, got undefined/],
    ['invalid anchor', { kind: 'FIXED_INTERVAL', hours: 5, anchor: new Date(Number.NaN) }, /anchor must be a valid Date, got Invalid Date/],
    ['unknown kind', { kind: 'ROLLING' }, /kind must be LIFETIME, CALENDAR or FIXED_INTERVAL, got "ROLLING"/],
    ['not an object', null, /must be an object/],
  ];

  for (const [name, window, message] of refusals) {
    it(`refuses ${name}`, () => {
      const call = (): void => validateWindow(window as QuotaWindow);
      expect(call).toThrow(message);
      expect(call).toThrow(InvalidInputError);
      try {
        call();
      } catch (err) {
        expect((err as InvalidInputError).code).toBe('invalid_quota_window');
      }
      // windowAt refuses the same rules.
      expect(() => windowAt(window as QuotaWindow, new Date())).toThrow(message);
    });
  }

  it('accepts valid rules, including zone aliases and UTC', () => {
    const ok: QuotaWindow[] = [
      { kind: 'LIFETIME' },
      day('UTC'),
      day('Asia/Shanghai', new Date('2026-01-01T01:00:00Z')),
      week('US/Eastern'),
      month('Etc/GMT-14', new Date('2026-01-31T00:00:00Z')),
      { kind: 'FIXED_INTERVAL', hours: 1, anchor: new Date(0) },
      { kind: 'FIXED_INTERVAL', hours: MAX_INTERVAL_HOURS, anchor: new Date('2026-01-01T00:00:00Z') },
    ];
    for (const w of ok) expect(() => validateWindow(w)).not.toThrow();
  });

  it('windowAt refuses an invalid instant', () => {
    expect(() => windowAt({ kind: 'LIFETIME' }, new Date('garbage'))).toThrow(/valid Date/);
  });
});
