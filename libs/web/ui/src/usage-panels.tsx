import type { RequestLogEntryView, UsageGroup, UsageRowView } from '@tiergate/contracts';
import { type RequestLogFilter, useCsvExport, useRequestLog, useUsage } from '@tiergate/web-api-client';
import { App, Button, Card, DatePicker, Input, Segmented, Select, Space, Table } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { BarChart } from './bar-chart.js';
import { CursorTable, useCursorPager } from './cursor-table.js';
import { useT } from './i18n.js';
import { formatCredits } from './money.js';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

type Range = [Dayjs, Dayjs];
const defaultRange = (): Range => [dayjs().subtract(29, 'day').startOf('day'), dayjs().startOf('day')];
/** The picker's days are inclusive; the API's `to` is exclusive. */
const rangeFilter = (r: Range) => ({ from: r[0].format('YYYY-MM-DD'), to: r[1].add(1, 'day').format('YYYY-MM-DD') });

/** Subtree usage of one account: a chart by day, tables by model or child, CSV export. */
export function UsagePanel({ accountId, showRevenue = true }: { accountId: string; showRevenue?: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const [range, setRange] = useState<Range>(defaultRange);
  const [groupBy, setGroupBy] = useState<UsageGroup>('day');
  const filter = { ...rangeFilter(range), groupBy };
  const usage = useUsage(accountId, filter);
  const csv = useCsvExport();
  const rows = usage.data?.rows ?? [];
  const series = [{ name: t('usage.charged'), color: '#2f54eb' }, ...(showRevenue ? [{ name: t('usage.revenue'), color: '#52c41a' }] : [])];
  return (
    <Card
      title={t('nav.usage')}
      size="small"
      data-testid="usage-panel"
      extra={
        <Space>
          <DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} />
          <Segmented<UsageGroup>
            value={groupBy}
            onChange={setGroupBy}
            options={[
              { value: 'day', label: t('usage.day') },
              { value: 'model', label: t('usage.model') },
              { value: 'child', label: t('usage.child') },
            ]}
          />
          <Button
            loading={csv.isPending}
            onClick={() => csv.mutate({ id: accountId, what: 'usage', filter }, { onSuccess: (text) => download(`usage-${groupBy}.csv`, text), onError: (e) => void message.error(e.message) })}
          >
            {t('common.export')}
          </Button>
        </Space>
      }
    >
      {rows.length > 0 && (
        <BarChart
          data={rows.map((r) => ({ label: r.name ?? r.key, values: showRevenue ? [r.charged, r.revenue] : [r.charged] }))}
          series={series}
          format={(v) => formatCredits(v)}
        />
      )}
      <Table<UsageRowView>
        style={{ marginTop: 16 }}
        rowKey="key"
        size="small"
        loading={usage.isFetching}
        dataSource={rows}
        pagination={false}
        columns={[
          { title: t(`usage.${groupBy}`), key: 'key', render: (_, r) => (groupBy === 'child' && r.key === accountId ? t('usage.self') : (r.name ?? r.key)) },
          { title: t('usage.requests'), dataIndex: 'requests' },
          { title: t('usage.tokens'), dataIndex: 'tokens' },
          { title: t('usage.charged'), dataIndex: 'charged', render: (v: string) => formatCredits(v) },
          ...(showRevenue
            ? [
                { title: t('usage.revenue'), dataIndex: 'revenue', render: (v: string) => formatCredits(v) },
                { title: t('usage.margin'), dataIndex: 'margin', render: (v: string) => <span data-testid="usage-margin">{formatCredits(v)}</span> },
              ]
            : []),
        ]}
        summary={() =>
          usage.data && (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>{t('usage.total')}</Table.Summary.Cell>
              <Table.Summary.Cell index={1}>{usage.data.total.requests}</Table.Summary.Cell>
              <Table.Summary.Cell index={2}>{usage.data.total.tokens}</Table.Summary.Cell>
              <Table.Summary.Cell index={3}>
                <span data-testid="usage-total-charged">{formatCredits(usage.data.total.charged)}</span>
              </Table.Summary.Cell>
              {showRevenue && <Table.Summary.Cell index={4}>{formatCredits(usage.data.total.revenue)}</Table.Summary.Cell>}
              {showRevenue && <Table.Summary.Cell index={5}>{formatCredits(usage.data.total.margin)}</Table.Summary.Cell>}
            </Table.Summary.Row>
          )
        }
      />
    </Card>
  );
}

const STATUSES = ['ok', 'client_aborted', 'upstream_failed', 'released', 'reaped'];

/** The subtree's requests (metadata only) with filters, server pages and CSV export. */
export function RequestLogPanel({ accountId }: { accountId: string }) {
  const t = useT();
  const { message } = App.useApp();
  const pager = useCursorPager();
  const [range, setRange] = useState<Range>(defaultRange);
  const [model, setModel] = useState('');
  const [keyId, setKeyId] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const filter: RequestLogFilter = { ...rangeFilter(range), model: model.trim() || undefined, keyId: keyId.trim() || undefined, status };
  const log = useRequestLog(accountId, filter, pager.cursor);
  const csv = useCsvExport();
  const change = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    pager.reset();
  };
  return (
    <Card
      title={t('nav.requests')}
      size="small"
      extra={
        <Button
          loading={csv.isPending}
          onClick={() => csv.mutate({ id: accountId, what: 'requests', filter }, { onSuccess: (text) => download('requests.csv', text), onError: (e) => void message.error(e.message) })}
        >
          {t('common.export')}
        </Button>
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => v?.[0] && v[1] && change(setRange)([v[0], v[1]])} />
        <Input placeholder={t('common.model')} value={model} onChange={(e) => change(setModel)(e.target.value)} style={{ width: 160 }} />
        <Input placeholder={t('requests.key')} value={keyId} onChange={(e) => change(setKeyId)(e.target.value)} style={{ width: 300 }} />
        <Select allowClear placeholder={t('requests.anyStatus')} value={status} onChange={change(setStatus)} style={{ width: 170 }} options={STATUSES.map((s) => ({ value: s, label: s }))} />
      </Space>
      <CursorTable<RequestLogEntryView>
        data-testid="request-log"
        rowKey="requestId"
        data={log.data}
        pager={pager}
        loading={log.isFetching}
        columns={[
          { title: t('requests.time'), dataIndex: 'settledAt', render: (v: string) => new Date(v).toLocaleString() },
          { title: t('common.model'), dataIndex: 'model' },
          { title: t('common.status'), dataIndex: 'status' },
          { title: t('requests.tokensInOut'), key: 'tok', render: (_, r) => `${r.inputTokens} / ${r.outputTokens}` },
          { title: t('requests.charged'), dataIndex: 'charged', render: (v: string) => formatCredits(v) },
          { title: t('requests.account'), dataIndex: 'accountId', render: (v: string) => v.slice(0, 8) },
          { title: t('requests.key'), dataIndex: 'apiKeyId', render: (v: string | null) => (v ? v.slice(0, 8) : '—') },
        ]}
      />
    </Card>
  );
}
