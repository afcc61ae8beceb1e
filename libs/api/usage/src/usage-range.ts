import { InvalidInputError } from '@tiergate/api-core';

const DAY_MS = 86_400_000;
export const DEFAULT_DAYS = 30;
export const MAX_DAYS = 731;

function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/**
 * The days a report covers: [fromDay, toDay). An instant counts with its whole UTC day (`to`
 * rounds up), a bare date is that day; the default is the last 30 days including today.
 */
export function dayRange(from: string | undefined, to: string | undefined, now = new Date()): { fromDay: Date; toDay: Date } {
  const end = to ? new Date(to) : new Date(utcDay(now).getTime() + DAY_MS);
  const toDay = end.getTime() === utcDay(end).getTime() ? end : new Date(utcDay(end).getTime() + DAY_MS);
  const fromDay = from ? utcDay(new Date(from)) : new Date(toDay.getTime() - DEFAULT_DAYS * DAY_MS);
  if (fromDay >= toDay) throw new InvalidInputError('invalid_range', 'from must be before to');
  if (toDay.getTime() - fromDay.getTime() > MAX_DAYS * DAY_MS) throw new InvalidInputError('invalid_range', `A report covers at most ${MAX_DAYS} days`);
  return { fromDay, toDay };
}

/** The instants a request log covers: [from, to); default the last 30 days. */
export function instantRange(from: string | undefined, to: string | undefined, now = new Date()): { from: Date; to: Date } {
  const end = to ? new Date(to) : new Date(now.getTime() + 60_000);
  const start = from ? new Date(from) : new Date(end.getTime() - DEFAULT_DAYS * DAY_MS);
  if (start >= end) throw new InvalidInputError('invalid_range', 'from must be before to');
  return { from: start, to: end };
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
