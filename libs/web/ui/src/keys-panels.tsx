import type { ApiKeyView, CreatedApiKey, MintedCodes, RedemptionCodeView } from '@tiergate/contracts';
import { useApiKeys, useCreateApiKey, useMintCodes, useRedemptionCodes, useRevokeApiKey } from '@tiergate/web-api-client';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { CursorTable, useCursorPager } from './cursor-table.js';
import { useT } from './i18n.js';
import { formatCredits, parseCredits } from './money.js';

const when = (v: string | null) => (v ? new Date(v).toLocaleString() : '—');

/** API keys of one account: create (the key is shown once, with a copy button), list, revoke. */
export function ApiKeysPanel({ accountId }: { accountId: string }) {
  const t = useT();
  const pager = useCursorPager();
  const keys = useApiKeys(accountId, pager.cursor);
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [name, setName] = useState('');
  return (
    <Card title={t('nav.keys')} size="small">
      <Space.Compact style={{ marginBottom: 16 }}>
        <Input placeholder={t('common.name')} value={name} onChange={(e) => setName(e.target.value)} data-testid="key-name" />
        <Button
          type="primary"
          disabled={!name.trim()}
          loading={create.isPending}
          data-testid="key-create"
          onClick={() => create.mutate({ id: accountId, name: name.trim() }, { onSuccess: (k) => (setCreated(k), setName('')) })}
        >
          {t('keys.new')}
        </Button>
      </Space.Compact>
      {create.error && <Alert type="error" title={create.error.message} />}
      <Modal open={!!created} title={t('keys.new')} onOk={() => setCreated(null)} onCancel={() => setCreated(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title={t('keys.shownOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: created?.key }} code data-testid="key-secret">
          {created?.key}
        </Typography.Paragraph>
      </Modal>
      <CursorTable<ApiKeyView>
        rowKey="id"
        data={keys.data}
        pager={pager}
        loading={keys.isFetching}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('keys.prefix'), dataIndex: 'prefix', render: (p: string) => <Typography.Text code>{p}…</Typography.Text> },
          { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'ACTIVE' ? 'green' : 'default'}>{s}</Tag> },
          { title: t('keys.lastUsed'), dataIndex: 'lastUsedAt', render: when },
          { title: t('keys.expires'), dataIndex: 'expiresAt', render: when },
          {
            title: t('common.actions'),
            key: 'a',
            render: (_, k) =>
              k.status === 'ACTIVE' && (
                <Popconfirm title={t('keys.revoke')} onConfirm={() => revoke.mutate({ id: accountId, keyId: k.id })}>
                  <Button size="small" danger>
                    {t('keys.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}

/** CSV of freshly minted codes (the only moment the full codes exist outside their hashes). */
export function codesCsv(minted: MintedCodes): string {
  const rows = [['code', 'value_credits', 'expires_at'], ...minted.codes.map((c) => [c, formatCredits(minted.value), minted.expiresAt ?? ''])];
  return rows.map((r) => r.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')).join('\n') + '\n';
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** Redemption codes an account mints for its children: mint, list, export. */
export function CodesPanel({ accountId }: { accountId: string }) {
  const t = useT();
  const { message } = App.useApp();
  const pager = useCursorPager();
  const codes = useRedemptionCodes(accountId, pager.cursor);
  const mint = useMintCodes();
  const [minted, setMinted] = useState<MintedCodes | null>(null);
  return (
    <Card title={t('nav.codes')} size="small">
      <Form
        layout="inline"
        initialValues={{ count: 5 }}
        onFinish={(v: { value: string; count: number }) =>
          mint.mutate({ id: accountId, value: parseCredits(v.value)!, count: v.count }, { onSuccess: setMinted, onError: (e) => void message.error(e.message) })
        }
        style={{ marginBottom: 16 }}
      >
        <Form.Item name="value" label={t('codes.value')} rules={[{ required: true }, { validator: (_, v: string) => (v && parseCredits(v) === null ? Promise.reject(new Error('?')) : Promise.resolve()) }]}>
          <Input style={{ width: 120 }} data-testid="codes-value" />
        </Form.Item>
        <Form.Item name="count" label={t('codes.count')} rules={[{ required: true }]}>
          <InputNumber min={1} max={1000} precision={0} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={mint.isPending} data-testid="codes-mint">
          {t('codes.mint')}
        </Button>
      </Form>
      <Modal
        open={!!minted}
        title={t('codes.minted')}
        onCancel={() => setMinted(null)}
        footer={[
          <Button key="csv" onClick={() => minted && download(`codes-${minted.batchId}.csv`, codesCsv(minted))}>
            {t('common.export')}
          </Button>,
          <Button key="ok" type="primary" onClick={() => setMinted(null)}>
            {t('common.done')}
          </Button>,
        ]}
      >
        <Typography.Paragraph copyable={{ text: minted?.codes.join('\n') }}>
          <pre data-testid="minted-codes">{minted?.codes.join('\n')}</pre>
        </Typography.Paragraph>
      </Modal>
      <CursorTable<RedemptionCodeView>
        rowKey="id"
        data={codes.data}
        pager={pager}
        loading={codes.isFetching}
        columns={[
          { title: t('codes.hint'), dataIndex: 'hint', render: (h: string) => <Typography.Text code>{h}</Typography.Text> },
          { title: t('codes.value'), dataIndex: 'value', render: (v: string) => formatCredits(v) },
          { title: t('keys.expires'), dataIndex: 'expiresAt', render: when },
          { title: t('codes.redeemed'), dataIndex: 'redeemedAt', render: when },
          { title: t('common.created'), dataIndex: 'createdAt', render: when },
        ]}
      />
    </Card>
  );
}
