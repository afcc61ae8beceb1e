import { MAIN_RULE_SHAPE } from '@tiergate/api-accounts';
import { InvalidInputError } from '@tiergate/api-core';
import type { ApiKeyQuotaRule, QuotaRule } from '@tiergate/api-db';
import type { CreateQuotaRuleDto, QuotaRuleView } from '@tiergate/contracts';
import { type QuotaWindow, validateWindow } from '../windows/quota-window.js';
import { shapeOf, windowOfRule } from './rule-shape.js';

type RuleRow = QuotaRule | ApiKeyQuotaRule;

/** A rule as the API shows it (account rules and key rules alike). */
export function ruleView(rule: RuleRow, used: bigint, resetsAt: Date | null): QuotaRuleView {
  const w = windowOfRule(rule);
  return {
    id: rule.id,
    unit: rule.unit,
    window:
      w.kind === 'LIFETIME'
        ? { kind: w.kind }
        : w.kind === 'CALENDAR'
          ? { kind: w.kind, period: w.period, timezone: w.timezone, ...(w.anchor && { anchor: w.anchor.toISOString() }) }
          : { kind: w.kind, hours: w.hours, anchor: w.anchor.toISOString() },
    limit: rule.limit === null ? null : rule.limit.toString(),
    used: used.toString(),
    resetsAt: resetsAt?.toISOString() ?? null,
    main: rule.shape === MAIN_RULE_SHAPE && 'accountId' in rule,
  };
}

/** The DTO's window, validated; a bad one is a 400. */
export function toWindow(dto: CreateQuotaRuleDto['window']): QuotaWindow {
  const window: QuotaWindow =
    dto.kind === 'LIFETIME'
      ? { kind: 'LIFETIME' }
      : dto.kind === 'CALENDAR'
        ? { kind: 'CALENDAR', period: dto.period!, timezone: dto.timezone!, anchor: dto.anchor ? new Date(dto.anchor) : undefined }
        : { kind: 'FIXED_INTERVAL', hours: dto.hours!, anchor: new Date(dto.anchor!) };
  try {
    validateWindow(window);
  } catch (err) {
    throw new InvalidInputError('invalid_window', err instanceof Error ? err.message : String(err));
  }
  return window;
}

/** The columns a new rule is stored with, account rule or key rule alike. */
export function ruleColumns(dto: CreateQuotaRuleDto, window: QuotaWindow) {
  return {
    unit: dto.unit,
    windowKind: window.kind,
    calendarPeriod: window.kind === 'CALENDAR' ? window.period : null,
    timezone: window.kind === 'CALENDAR' ? window.timezone : null,
    intervalHours: window.kind === 'FIXED_INTERVAL' ? window.hours : null,
    anchor: window.kind === 'LIFETIME' ? null : (window.anchor ?? null),
    shape: shapeOf(dto.unit, window),
    limit: dto.limit === undefined || dto.limit === null ? null : BigInt(dto.limit),
  };
}
