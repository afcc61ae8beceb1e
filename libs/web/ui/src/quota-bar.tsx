import type { QuotaRuleView } from '@tiergate/contracts';
import { Progress, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { formatUntil } from './duration.js';
import { useT } from './i18n.js';
import { formatCredits, percentUsed } from './money.js';

function amount(unit: QuotaRuleView['unit'], value: string): string {
  return unit === 'CREDITS' ? formatCredits(value) : BigInt(value).toLocaleString('en-US');
}

/** One quota rule: used of limit, and the time until its window resets (ticking each second). */
export function QuotaBar({ rule, now }: { rule: QuotaRuleView; now?: Date }) {
  const t = useT();
  const [clock, setClock] = useState(() => now ?? new Date());
  useEffect(() => {
    if (now || !rule.resetsAt) return;
    const timer = setInterval(() => setClock(new Date()), 1000);
    return () => clearInterval(timer);
  }, [now, rule.resetsAt]);
  const percent = percentUsed(rule.used, rule.limit);
  const limit = rule.limit === null ? t('quota.unlimited') : amount(rule.unit, rule.limit);
  const reset = rule.resetsAt ? t('quota.resetsIn', { time: formatUntil(rule.resetsAt, now ?? clock) }) : t('quota.never');
  return (
    <div className="tg-quota-bar" data-testid="quota-bar" data-used={rule.used} data-limit={rule.limit ?? ''} data-unit={rule.unit}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Text strong>{t(`quota.${rule.unit}`)}</Typography.Text>
        <Typography.Text type="secondary">{reset}</Typography.Text>
      </Space>
      <Progress percent={percent} status={percent >= 100 ? 'exception' : 'normal'} showInfo={rule.limit !== null} />
      <Typography.Text className="tg-quota-text">
        {amount(rule.unit, rule.used)} / {limit} {t('quota.used')}
      </Typography.Text>
    </div>
  );
}

/** Every rule of an account, the main balance first. */
export function QuotaBars({ rules, now }: { rules: QuotaRuleView[] | undefined; now?: Date }) {
  const t = useT();
  if (!rules || rules.length === 0) return <Typography.Text type="secondary">{t('quota.none')}</Typography.Text>;
  const sorted = [...rules].sort((a, b) => Number(b.main) - Number(a.main));
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {sorted.map((rule) => (
        <QuotaBar key={rule.id} rule={rule} now={now} />
      ))}
    </Space>
  );
}
