import type { QuotaRule } from '@tiergate/api-db';
import type { CounterSpec, QuotaUnit } from '../ledger.types.js';
import { type QuotaWindow, windowAt } from '../windows/quota-window.js';

/** Canonical text of a rule's unit and window: an account has at most one rule per shape. */
export function shapeOf(unit: QuotaUnit, window: QuotaWindow): string {
  switch (window.kind) {
    case 'LIFETIME':
      return `${unit}/LIFETIME`;
    case 'CALENDAR':
      return `${unit}/CALENDAR/${window.period}/${window.timezone}/${window.anchor?.toISOString() ?? ''}`;
    case 'FIXED_INTERVAL':
      return `${unit}/FIXED_INTERVAL/${window.hours}/${window.anchor.toISOString()}`;
  }
}

type RuleRow = Pick<QuotaRule, 'id' | 'unit' | 'windowKind' | 'calendarPeriod' | 'intervalHours' | 'anchor' | 'timezone' | 'limit'>;

export function windowOfRule(rule: RuleRow): QuotaWindow {
  if (rule.windowKind === 'CALENDAR') {
    return { kind: 'CALENDAR', period: rule.calendarPeriod!, timezone: rule.timezone!, anchor: rule.anchor ?? undefined };
  }
  if (rule.windowKind === 'FIXED_INTERVAL') return { kind: 'FIXED_INTERVAL', hours: rule.intervalHours!, anchor: rule.anchor! };
  return { kind: 'LIFETIME' };
}

/** The counter a rule uses right now: its window decides the key, so a new window starts at zero. */
export function counterOf(rule: RuleRow, now: Date): CounterSpec & { resetsAt: Date | null } {
  const bounds = windowAt(windowOfRule(rule), now);
  return {
    ruleId: rule.id,
    unit: rule.unit,
    limit: rule.limit,
    windowId: bounds.id,
    windowEndsAt: bounds.endsAt?.getTime() ?? null,
    resetsAt: bounds.endsAt,
  };
}
