/**
 * Quota-rule windows (DESIGN §2, §4): which window an instant falls in, and a short id for it.
 *
 * Pure: no clock, no I/O. Time zones come from Intl (IANA database bundled with Node's ICU).
 *
 * - LIFETIME: one window forever, id `life`.
 * - CALENDAR: local days / weeks / months of an IANA zone, DST-correct.
 *   - DAY: starts at the anchor's local time-of-day (default 00:00); id `dYYYYMMDD`, the local
 *     date on which the window starts.
 *   - WEEK: starts at local midnight of the anchor's local weekday (default Monday); id
 *     `wYYYYMMDD`, the local date of the week's first day.
 *   - MONTH: starts at local midnight of the anchor's local day-of-month (default 1), clamped to
 *     the month's length (anchor 31 → 28/29 Feb, 30 Apr, …); id `mYYYYMM`, the month the window
 *     starts in.
 *   The anchor's time-of-day matters only for DAY; WEEK and MONTH roll over at local midnight.
 * - FIXED_INTERVAL: `[anchor + k·hours, anchor + (k+1)·hours)` for every integer k (also
 *   negative, before the anchor); id `i<k>`.
 *
 * Local-time resolution rule (one rule for every calendar boundary): a window starts at the
 * earliest instant at which the zone's wall clock reads the boundary's local date-time. If that
 * wall time occurs twice (clocks set back) the first occurrence counts; if it does not exist
 * (clocks set forward across it, e.g. midnight in America/Sao_Paulo on a DST day) the window
 * starts at the first existing instant after it — the moment of the transition. A local day may
 * therefore last 23, 24 or 25 hours (or be empty, like 2011-12-30 in Pacific/Apia, which no
 * instant falls into).
 *
 * Invalid rules are refused with InvalidInputError (code `invalid_quota_window`), which the API
 * renders as a 400 — rules are set through the management API. An invalid `now` is a TypeError.
 *
 * windowAt memoises the last calendar window per (period, zone, anchor), so calls within the same
 * window (the request path) skip the Intl work; the result is identical either way.
 */
import { InvalidInputError } from '@tiergate/api-core';

export type QuotaWindow =
  | { kind: 'LIFETIME' }
  | {
      kind: 'CALENDAR';
      period: 'DAY' | 'WEEK' | 'MONTH';
      /** IANA zone name, e.g. `Asia/Shanghai`. */
      timezone: string;
      /**
       * WEEK: the anchor's local weekday starts the week (default Monday).
       * MONTH: the anchor's local day-of-month starts the month (default 1, clamped to month length).
       * DAY: the anchor's local time-of-day starts the day (default 00:00).
       */
      anchor?: Date;
    }
  | {
      kind: 'FIXED_INTERVAL';
      /** Integer ≥ 1. */
      hours: number;
      /** Windows are [anchor + k·hours, anchor + (k+1)·hours). */
      anchor: Date;
    };

export interface WindowBounds {
  /** Stable, short, unique per window of one rule: `life`, `d20261122`, `w20261116`, `m202611`, `i123456`. A key fragment. */
  id: string;
  /** Inclusive; null for LIFETIME. */
  startsAt: Date | null;
  /** Exclusive; null for LIFETIME. */
  endsAt: Date | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Upper bound for FIXED_INTERVAL hours: 100 years. Keeps every bound a valid Date. */
export const MAX_INTERVAL_HOURS = 876_600;

const invalid = (message: string): InvalidInputError => new InvalidInputError('invalid_quota_window', message);

/** Throws InvalidInputError when the window cannot be used: unknown kind/period/zone, bad anchor, bad hours. */
export function validateWindow(window: QuotaWindow): void {
  if (window === null || typeof window !== 'object') throw invalid('Quota window must be an object');
  const kind = (window as { kind?: unknown }).kind;
  switch (kind) {
    case 'LIFETIME':
      return;
    case 'CALENDAR': {
      const w = window as Extract<QuotaWindow, { kind: 'CALENDAR' }>;
      if (w.period !== 'DAY' && w.period !== 'WEEK' && w.period !== 'MONTH') {
        throw invalid(`Calendar window period must be DAY, WEEK or MONTH, got ${describe(w.period)}`);
      }
      formatterFor(w.timezone); // throws on an unknown zone
      if (w.anchor !== undefined && !isValidDate(w.anchor)) {
        throw invalid(`Calendar window anchor must be a valid Date, got ${describe(w.anchor)}`);
      }
      return;
    }
    case 'FIXED_INTERVAL': {
      const w = window as Extract<QuotaWindow, { kind: 'FIXED_INTERVAL' }>;
      if (typeof w.hours !== 'number' || !Number.isInteger(w.hours) || w.hours < 1) {
        throw invalid(`Fixed-interval window hours must be a positive integer, got ${describe(w.hours)}`);
      }
      if (w.hours > MAX_INTERVAL_HOURS) {
        throw invalid(`Fixed-interval window hours must be at most ${MAX_INTERVAL_HOURS} (100 years), got ${w.hours}`);
      }
      if (!isValidDate(w.anchor)) throw invalid(`Fixed-interval window anchor must be a valid Date, got ${describe(w.anchor)}`);
      return;
    }
    default:
      throw invalid(`Quota window kind must be LIFETIME, CALENDAR or FIXED_INTERVAL, got ${describe(kind)}`);
  }
}

/** The window of `window` that contains the instant `now`. */
export function windowAt(window: QuotaWindow, now: Date): WindowBounds {
  validateWindow(window);
  if (!isValidDate(now)) throw new TypeError(`windowAt needs a valid Date, got ${describe(now)}`);
  const t = now.getTime();
  switch (window.kind) {
    case 'LIFETIME':
      return { id: 'life', startsAt: null, endsAt: null };
    case 'FIXED_INTERVAL': {
      const period = window.hours * HOUR_MS;
      const anchor = window.anchor.getTime();
      const k = Math.floor((t - anchor) / period);
      // Guard the float division at the edges: the integer arithmetic below is exact.
      let start = anchor + k * period;
      let index = k;
      if (start > t) {
        index -= 1;
        start -= period;
      } else if (start + period <= t) {
        index += 1;
        start += period;
      }
      return { id: `i${index}`, startsAt: new Date(start), endsAt: new Date(start + period) };
    }
    case 'CALENDAR':
      return calendarWindowAt(window, t);
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar windows

type CalendarWindow = Extract<QuotaWindow, { kind: 'CALENDAR' }>;

/** A civil date as days since 1970-01-01 (proleptic Gregorian, no zone). */
type CivilDay = number;

/** The successive windows of one calendar rule, indexed by an integer (a civil day or a month number). */
interface CalendarSeries {
  /** Index of a window near the one containing the wall-clock time `wall` (ms, zone-local as if UTC). */
  guess(wall: number): number;
  /** Wall-clock time (zone-local ms as if UTC) at which window `i` starts. */
  startWall(i: number): number;
  /** Next window's index. */
  next(i: number): number;
  prev(i: number): number;
  id(i: number): string;
}

/**
 * The last window computed per calendar rule shape (period, zone, anchor). Resolving a window
 * costs a few dozen Intl calls (~50 µs); requests within the same window, the common case on the
 * request path, then cost one Map lookup. Referentially transparent: the entry is only reused
 * for instants inside its bounds.
 */
const lastWindow = new Map<string, { id: string; start: number; end: number }>();
const LAST_WINDOW_MAX = 1024;

/** Forgets the memoised windows. Only tests need this, to check resolution without the memo. */
export function resetWindowCache(): void {
  lastWindow.clear();
}

function calendarWindowAt(window: CalendarWindow, t: number): WindowBounds {
  const key = `${window.period} ${window.timezone} ${window.anchor?.getTime() ?? ''}`;
  const hit = lastWindow.get(key);
  if (hit !== undefined && hit.start <= t && t < hit.end) {
    return { id: hit.id, startsAt: new Date(hit.start), endsAt: new Date(hit.end) };
  }
  const bounds = resolveCalendarWindow(window, t);
  if (lastWindow.size >= LAST_WINDOW_MAX && !lastWindow.has(key)) lastWindow.clear();
  lastWindow.set(key, { id: bounds.id, start: bounds.startsAt!.getTime(), end: bounds.endsAt!.getTime() });
  return bounds;
}

function resolveCalendarWindow(window: CalendarWindow, t: number): WindowBounds {
  const tz = window.timezone;
  const series = seriesOf(window);
  const startOf = (i: number): number => instantOfWall(tz, series.startWall(i));
  let i = series.guess(wallOf(tz, t));
  let start = startOf(i);
  // The guess is right or one off; walk to the window with start ≤ t < next start. Bounded,
  // because every step moves a whole period while offsets differ by at most a day.
  for (let step = 0; start > t; step++) {
    if (step > 4) throw new Error(`Cannot place ${new Date(t).toISOString()} in a ${window.period} window of ${tz}`);
    i = series.prev(i);
    start = startOf(i);
  }
  let nextIndex = series.next(i);
  let end = startOf(nextIndex);
  for (let step = 0; end <= t; step++) {
    if (step > 4) throw new Error(`Cannot place ${new Date(t).toISOString()} in a ${window.period} window of ${tz}`);
    i = nextIndex;
    start = end;
    nextIndex = series.next(i);
    end = startOf(nextIndex);
  }
  return { id: series.id(i), startsAt: new Date(start), endsAt: new Date(end) };
}

function seriesOf(window: CalendarWindow): CalendarSeries {
  const tz = window.timezone;
  const anchorWall = window.anchor === undefined ? undefined : wallOf(tz, window.anchor.getTime());
  switch (window.period) {
    case 'DAY': {
      const timeOfDay = anchorWall === undefined ? 0 : mod(anchorWall, DAY_MS);
      return {
        guess: (wall) => Math.floor((wall - timeOfDay) / DAY_MS),
        startWall: (day) => day * DAY_MS + timeOfDay,
        next: (day) => day + 1,
        prev: (day) => day - 1,
        id: (day) => `d${ymd(day)}`,
      };
    }
    case 'WEEK': {
      // 1970-01-01 was a Thursday; weekday 0 = Sunday … 6 = Saturday.
      const weekday = (day: CivilDay): number => mod(day + 4, 7);
      const firstWeekday = anchorWall === undefined ? 1 : weekday(Math.floor(anchorWall / DAY_MS));
      return {
        guess: (wall) => {
          const day = Math.floor(wall / DAY_MS);
          return day - mod(weekday(day) - firstWeekday, 7);
        },
        startWall: (day) => day * DAY_MS,
        next: (day) => day + 7,
        prev: (day) => day - 7,
        id: (day) => `w${ymd(day)}`,
      };
    }
    case 'MONTH': {
      // Index = year·12 + (month − 1).
      const anchorDay = anchorWall === undefined ? 1 : new Date(anchorWall).getUTCDate();
      const startDay = (m: number): CivilDay => {
        const year = Math.floor(m / 12);
        const month = mod(m, 12);
        const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
        return Date.UTC(year, month, Math.min(anchorDay, length)) / DAY_MS;
      };
      return {
        guess: (wall) => {
          const d = new Date(wall);
          return d.getUTCFullYear() * 12 + d.getUTCMonth();
        },
        startWall: (m) => startDay(m) * DAY_MS,
        next: (m) => m + 1,
        prev: (m) => m - 1,
        id: (m) => `m${pad(Math.floor(m / 12), 4)}${pad(mod(m, 12) + 1, 2)}`,
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Zone arithmetic on top of Intl. A "wall" time is the zone's local date-time expressed as ms
// since the epoch as if it were UTC (so civil-date arithmetic is plain UTC arithmetic).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: unknown): Intl.DateTimeFormat {
  if (typeof timezone !== 'string' || timezone === '') {
    throw invalid(`Calendar window timezone must be an IANA zone name such as "Europe/Berlin", got ${describe(timezone)}`);
  }
  let f = formatters.get(timezone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US-u-nu-latn', {
        timeZone: timezone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw invalid(`Unknown time zone "${timezone}": use an IANA zone name such as "Europe/Berlin"`);
    }
    formatters.set(timezone, f);
  }
  return f;
}

/** The zone's wall-clock reading at instant t. */
function wallOf(timezone: string, t: number): number {
  const parts = formatterFor(timezone).formatToParts(new Date(t));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
    }
  }
  if (bc) year = 1 - year;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years 0–99 literal, unlike Date.UTC
  d.setUTCHours(hour, minute, second, mod(t, 1000));
  return d.getTime();
}

/** Zone offset (ms, wall − instant) in force at instant t. */
function offsetAt(timezone: string, t: number): number {
  return wallOf(timezone, t) - t;
}

/**
 * The earliest instant at which the zone's wall clock reads `wall`; when that wall time is
 * skipped by a forward transition, the transition instant (first existing instant after it).
 */
function instantOfWall(timezone: string, wall: number): number {
  // Offsets range over about ±14 h, so every instant that could read `wall` lies within a day of
  // it; zones change offset far less often than twice in two days.
  const before = offsetAt(timezone, wall - DAY_MS);
  const after = offsetAt(timezone, wall + DAY_MS);
  const candidates = before === after ? [wall - before] : [wall - before, wall - after];
  let best: number | undefined;
  for (const c of candidates) {
    if (wallOf(timezone, c) === wall && (best === undefined || c < best)) best = c;
  }
  if (best !== undefined) return best;
  if (after <= before) {
    throw new Error(`Cannot resolve local time ${new Date(wall).toISOString().slice(0, 19)} in ${timezone}`);
  }
  // A gap: instants before the transition read < wall, instants from it on read ≥ wall.
  // The transition lies in (wall − after, wall − before]; binary-search its first millisecond.
  let lo = wall - after; // reads < wall
  let hi = wall - before; // reads ≥ wall
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (wallOf(timezone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------

function ymd(day: CivilDay): string {
  const d = new Date(day * DAY_MS);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function describe(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}
