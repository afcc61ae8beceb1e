import type { EffectivePriceView } from '@tiergate/contracts';
import { useEffectivePrices, usePriceList, usePutPriceList } from '@tiergate/web-api-client';
import { App, Button, Card, Form, InputNumber, Space, Table, Typography } from 'antd';
import { useEffect } from 'react';
import { useT } from './i18n.js';
import { formatBpsPercent, formatCredits, formatMultiplier, marginOf } from './money.js';

const pair = (input: string, output: string) => `${formatCredits(input)} / ${formatCredits(output)}`;

/** Per model: what the account pays, what it charges its children, and the margin in between. */
export function PriceMarginTable({ accountId }: { accountId: string }) {
  const t = useT();
  const prices = useEffectivePrices(accountId);
  return (
    <Table<EffectivePriceView>
      data-testid="price-margin-table"
      rowKey="model"
      size="middle"
      loading={prices.isPending}
      dataSource={prices.data ?? []}
      pagination={false}
      columns={[
        { title: t('common.model'), dataIndex: 'model' },
        { title: t('prices.pays'), key: 'pays', render: (_, p) => pair(p.pays.inputPer1M, p.pays.outputPer1M) },
        { title: t('prices.charges'), key: 'charges', render: (_, p) => (p.charges ? pair(p.charges.inputPer1M, p.charges.outputPer1M) : '—') },
        {
          title: t('prices.margin'),
          key: 'margin',
          render: (_, p) => {
            if (!p.charges) return '—';
            const m = marginOf(p.pays, p.charges);
            return <span data-testid={`margin-${p.model}`}>{pair(m.input.toString(), m.output.toString())}</span>;
          },
        },
        {
          title: t('prices.marginPct'),
          key: 'pct',
          render: (_, p) => {
            if (!p.charges) return '—';
            const m = marginOf(p.pays, p.charges);
            return m.outputBps === null ? '—' : formatBpsPercent(m.outputBps);
          },
        },
      ]}
    />
  );
}

/** The list an account applies to its children: the default markup (per-model overrides via the API). */
export function PriceListEditor({ accountId }: { accountId: string }) {
  const t = useT();
  const { message } = App.useApp();
  const list = usePriceList(accountId);
  const put = usePutPriceList();
  const [form] = Form.useForm<{ markupBps: number }>();
  useEffect(() => {
    if (list.data) form.setFieldsValue({ markupBps: list.data.markupBps });
  }, [list.data, form]);
  const markup = Form.useWatch('markupBps', form);
  return (
    <Card title={t('nav.prices')} size="small">
      <Form
        form={form}
        layout="inline"
        onFinish={(v) =>
          put.mutate(
            { id: accountId, markupBps: v.markupBps, overrides: overridesOf(list.data?.overrides) },
            { onSuccess: () => void message.success(t('prices.saved')), onError: (e) => void message.error(e.message) },
          )
        }
      >
        <Form.Item name="markupBps" label={t('prices.markupBps')} rules={[{ required: true }]}>
          <InputNumber min={0} max={1_000_000} step={500} precision={0} data-testid="markup-bps" />
        </Form.Item>
        <Form.Item>
          <Typography.Text type="secondary">{typeof markup === 'number' ? formatMultiplier(markup) : ''}</Typography.Text>
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={put.isPending} data-testid="markup-save">
              {t('common.save')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <div style={{ marginTop: 16 }}>
        <PriceMarginTable accountId={accountId} />
      </div>
    </Card>
  );
}

function overridesOf(overrides: Record<string, { inputPer1M: string; outputPer1M: string; cachedInputPer1M: string | null }> | undefined) {
  if (!overrides) return undefined;
  return Object.fromEntries(
    Object.entries(overrides).map(([m, p]) => [m, { inputPer1M: p.inputPer1M, outputPer1M: p.outputPer1M, ...(p.cachedInputPer1M !== null && { cachedInputPer1M: p.cachedInputPer1M }) }]),
  );
}
