import type { AccountView } from '@tiergate/contracts';
import {
  type CreateAccountInput,
  useAccount,
  useChildren,
  useCreateAccount,
  useGrant,
  useGrants,
  useMoveAccount,
  useAddQuotaRule,
  useDeleteQuotaRule,
  type QuotaRuleInput,
  useQuota,
  useSetOversell,
  useUpdateAccount,
} from '@tiergate/web-api-client';
import { App, Button, type ButtonProps, Card, Descriptions, Form, Input, InputNumber, Modal, Popconfirm, Result, Select, Space, Switch, Tag, Typography } from 'antd';
import { useState } from 'react';
import { CursorTable, useCursorPager } from './cursor-table.js';
import { useT } from './i18n.js';
import { formatCredits, parseCredits } from './money.js';
import { QuotaBar, QuotaBars } from './quota-bar.js';

type ChildKind = CreateAccountInput['kind'];

export function StatusTag({ status }: { status: AccountView['status'] }) {
  const t = useT();
  return <Tag color={status === 'ACTIVE' ? 'green' : 'red'}>{t(`status.${status}`)}</Tag>;
}

/** The main balance of an account, as a bar (used in tables of children). */
export function MainQuota({ accountId }: { accountId: string }) {
  const quota = useQuota(accountId);
  const main = quota.data?.rules.find((r) => r.main) ?? quota.data?.rules[0];
  if (!main) return <Typography.Text type="secondary">—</Typography.Text>;
  return <QuotaBar rule={main} />;
}

/** All quota rules of an account in a card; refreshed every few seconds so charges show up. */
export function QuotaCard({ accountId }: { accountId: string }) {
  const t = useT();
  const quota = useQuota(accountId, 5000);
  return (
    <Card title={t('quota.title')} size="small" data-testid="quota-card">
      <QuotaBars rules={quota.data?.rules} />
    </Card>
  );
}

type WindowChoice = 'lifetime' | 'day' | 'week' | 'month' | 'hours';

/** A parent adds a quota rule to its child, e.g. 500 requests a week plus 50 every 5 hours. */
export function QuotaRuleForm({ accountId }: { accountId: string }) {
  const t = useT();
  const { message } = App.useApp();
  const add = useAddQuotaRule();
  const remove = useDeleteQuotaRule();
  const quota = useQuota(accountId);
  const [form] = Form.useForm<{ unit: QuotaRuleInput['unit']; window: WindowChoice; hours?: number; limit: string }>();
  const choice = Form.useWatch('window', form);
  const submit = (v: { unit: QuotaRuleInput['unit']; window: WindowChoice; hours?: number; limit: string }) => {
    const limit = v.unit === 'CREDITS' ? parseCredits(v.limit) : /^\d{1,18}$/.test(v.limit.trim()) ? v.limit.trim() : null;
    if (limit === null) return void message.error(t('rules.limit'));
    const window: QuotaRuleInput['window'] =
      v.window === 'lifetime'
        ? { kind: 'LIFETIME' }
        : v.window === 'hours'
          ? { kind: 'FIXED_INTERVAL', hours: v.hours ?? 5, anchor: new Date(Date.UTC(2000, 0, 1)).toISOString() }
          : { kind: 'CALENDAR', period: v.window === 'day' ? 'DAY' : v.window === 'week' ? 'WEEK' : 'MONTH', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
    add.mutate({ id: accountId, rule: { unit: v.unit, window, limit } }, { onSuccess: () => (form.resetFields(), void message.success(t('common.done'))), onError: (e) => void message.error(e.message) });
  };
  const removable = (quota.data?.rules ?? []).filter((r) => !r.main);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Form form={form} layout="inline" initialValues={{ unit: 'REQUESTS', window: 'day', hours: 5 }} onFinish={submit}>
        <Form.Item name="unit" label={t('rules.unit')}>
          <Select style={{ width: 120 }} options={(['CREDITS', 'REQUESTS', 'TOKENS'] as const).map((u) => ({ value: u, label: t(`quota.${u}`) }))} />
        </Form.Item>
        <Form.Item name="window" label={t('rules.window')}>
          <Select<WindowChoice> style={{ width: 140 }} options={(['lifetime', 'day', 'week', 'month', 'hours'] as const).map((w) => ({ value: w, label: t(`rules.${w}`) }))} />
        </Form.Item>
        {choice === 'hours' && (
          <Form.Item name="hours" label={t('rules.hoursCount')}>
            <InputNumber min={1} max={8784} precision={0} style={{ width: 80 }} />
          </Form.Item>
        )}
        <Form.Item name="limit" label={t('rules.limit')} rules={[{ required: true }]}>
          <Input style={{ width: 120 }} />
        </Form.Item>
        <Button htmlType="submit" loading={add.isPending}>
          {t('rules.add')}
        </Button>
      </Form>
      {removable.length > 0 && (
        <Space wrap>
          {t('rules.remove')}:
          {removable.map((r) => (
            <Popconfirm key={r.id} title={t('rules.remove')} onConfirm={() => remove.mutate({ id: accountId, ruleId: r.id })}>
              <Tag style={{ cursor: 'pointer' }} closable={false}>
                {t(`quota.${r.unit}`)} · {r.window.kind === 'CALENDAR' ? r.window.period : r.window.kind === 'FIXED_INTERVAL' ? `${r.window.hours}h` : r.window.kind} · {r.limit ?? '∞'} ✕
              </Tag>
            </Popconfirm>
          ))}
        </Space>
      )}
    </Space>
  );
}

export function CreateAccountButton({ parentId, kinds }: { parentId?: string; kinds: ChildKind[] }) {
  const t = useT();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const create = useCreateAccount();
  const [form] = Form.useForm<CreateAccountInput>();
  const submit = async () => {
    const v = await form.validateFields();
    await create.mutateAsync({ ...v, parentId });
    void message.success(t('account.created'));
    form.resetFields();
    setOpen(false);
  };
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)} data-testid="create-account">
        {t('account.createChild')}
      </Button>
      <Modal open={open} title={t('account.create')} onOk={() => void submit()} onCancel={() => setOpen(false)} confirmLoading={create.isPending} okButtonProps={{ 'data-testid': 'create-account-ok' } as ButtonProps}>
        <Form form={form} layout="vertical" initialValues={{ kind: kinds[0] }}>
          <Form.Item name="kind" label={t('common.kind')} rules={[{ required: true }]}>
            <Select data-testid="create-account-kind" options={kinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
          </Form.Item>
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true }]}>
            <Input data-testid="create-account-name" />
          </Form.Item>
          <Form.Item name="username" label={t('account.username')} rules={[{ required: true }]}>
            <Input data-testid="create-account-username" autoComplete="off" />
          </Form.Item>
          <Form.Item name="password" label={t('account.password')} rules={[{ required: true, min: 10 }]}>
            <Input.Password data-testid="create-account-password" autoComplete="new-password" />
          </Form.Item>
        </Form>
        {create.error && <Typography.Text type="danger">{create.error.message}</Typography.Text>}
      </Modal>
    </>
  );
}

export function GrantButton({ accountId, label }: { accountId: string; label?: string }) {
  const t = useT();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const grant = useGrant();
  const [form] = Form.useForm<{ amount: string; note?: string }>();
  const submit = async () => {
    const v = await form.validateFields();
    await grant.mutateAsync({ id: accountId, delta: parseCredits(v.amount)!, note: v.note });
    void message.success(t('grant.done'));
    form.resetFields();
    setOpen(false);
  };
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} data-testid={`grant-${accountId}`}>
        {label ?? t('grant.title')}
      </Button>
      <Modal open={open} title={t('grant.title')} onOk={() => void submit()} onCancel={() => setOpen(false)} confirmLoading={grant.isPending} okButtonProps={{ 'data-testid': 'grant-ok' } as ButtonProps}>
        <Form form={form} layout="vertical">
          <Form.Item
            name="amount"
            label={t('grant.delta')}
            rules={[{ required: true }, { validator: (_, v: string) => (v && parseCredits(v) === null ? Promise.reject(new Error('0.000001 … 999999')) : Promise.resolve()) }]}
          >
            <Input data-testid="grant-amount" />
          </Form.Item>
          <Form.Item name="note" label={t('common.note')}>
            <Input data-testid="grant-note" />
          </Form.Item>
        </Form>
        {grant.error && (
          <Typography.Text type="danger" data-testid="grant-error">
            {grant.error.message}
          </Typography.Text>
        )}
      </Modal>
    </>
  );
}

export function SuspendButton({ account }: { account: AccountView }) {
  const t = useT();
  const update = useUpdateAccount();
  const suspended = account.status === 'SUSPENDED';
  return (
    <Button size="small" danger={!suspended} loading={update.isPending} onClick={() => update.mutate({ id: account.id, status: suspended ? 'ACTIVE' : 'SUSPENDED' })}>
      {suspended ? t('account.resume') : t('account.suspend')}
    </Button>
  );
}

export function OversellSwitch({ accountId }: { accountId: string }) {
  const t = useT();
  const quota = useQuota(accountId);
  const set = useSetOversell();
  return (
    <Space>
      <Switch checked={quota.data?.oversell ?? false} loading={set.isPending || quota.isPending} onChange={(v) => set.mutate({ id: accountId, oversell: v })} data-testid="oversell-switch" />
      <span>{t('oversell.label')}</span>
    </Space>
  );
}

/** The children of one account with their quota bars; actions for the direct parent. */
export function ChildrenTable({ parentId, onOpen, showActions = true }: { parentId: string; onOpen?: (id: string) => void; showActions?: boolean }) {
  const t = useT();
  const pager = useCursorPager();
  const children = useChildren(parentId, pager.cursor);
  return (
    <CursorTable<AccountView>
      data-testid="children-table"
      rowKey="id"
      data={children.data}
      pager={pager}
      loading={children.isFetching}
      columns={[
        {
          title: t('common.name'),
          dataIndex: 'name',
          render: (name: string, a) => (onOpen ? <a onClick={() => onOpen(a.id)} data-testid={`open-${name}`}>{name}</a> : name),
        },
        { title: t('common.kind'), dataIndex: 'kind', render: (k: AccountView['kind']) => t(`kind.${k}`) },
        { title: t('common.status'), dataIndex: 'status', render: (s: AccountView['status']) => <StatusTag status={s} /> },
        { title: t('quota.title'), key: 'quota', width: 320, render: (_, a) => <MainQuota accountId={a.id} /> },
        ...(showActions
          ? [
              {
                title: t('common.actions'),
                key: 'actions',
                render: (_: unknown, a: AccountView) => (
                  <Space>
                    <GrantButton accountId={a.id} />
                    <SuspendButton account={a} />
                  </Space>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

export function GrantsTable({ accountId }: { accountId: string }) {
  const t = useT();
  const pager = useCursorPager();
  const grants = useGrants(accountId, pager.cursor);
  return (
    <CursorTable
      rowKey="id"
      data={grants.data}
      pager={pager}
      loading={grants.isFetching}
      columns={[
        { title: t('common.created'), dataIndex: 'createdAt', render: (v: string) => new Date(v).toLocaleString() },
        { title: t('grant.title'), dataIndex: 'delta', render: (v: string) => formatCredits(v) },
        { title: t('grant.limitAfter'), dataIndex: 'limitAfter', render: (v: string) => formatCredits(v) },
        { title: t('common.note'), dataIndex: 'note' },
      ]}
    />
  );
}

/**
 * One account seen from above: its data, quota, grants, oversell (agents) and children. A
 * target outside the viewer's subtree comes back 404 from the API and shows as not found.
 */
export function AccountDetail({
  accountId,
  onOpen,
  childKinds,
  viewerId,
}: {
  accountId: string;
  onOpen?: (id: string) => void;
  childKinds?: ChildKind[];
  /** The signed-in account: the rules form shows for its direct children only (only a parent sets them). */
  viewerId?: string;
}) {
  const t = useT();
  const account = useAccount(accountId);
  if (account.isPending) return <Card loading />;
  if (account.isError || !account.data) return <Result status="404" title={<span data-testid="not-found">{t('common.notFound')}</span>} />;
  const a = account.data;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large">
      <Card
        title={
          <Space>
            {a.name}
            <Tag>{t(`kind.${a.kind}`)}</Tag>
            <StatusTag status={a.status} />
          </Space>
        }
        extra={
          <Space>
            <GrantButton accountId={a.id} />
            <SuspendButton account={a} />
          </Space>
        }
      >
        <Descriptions size="small" column={2}>
          <Descriptions.Item label={t('account.id')}>
            <Typography.Text copyable>{a.id}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('account.parent')}>{a.parentId}</Descriptions.Item>
          <Descriptions.Item label={t('common.created')}>{new Date(a.createdAt).toLocaleString()}</Descriptions.Item>
        </Descriptions>
        {a.kind === 'AGENT' && <OversellSwitch accountId={a.id} />}
      </Card>
      <QuotaCard accountId={a.id} />
      {a.parentId === viewerId && (
        <Card title={t('rules.add')} size="small">
          <QuotaRuleForm accountId={a.id} />
        </Card>
      )}
      {a.kind !== 'USER' && (
        <Card title={t('nav.children')} size="small" extra={childKinds && childKinds.length > 0 && <CreateAccountButton parentId={a.id} kinds={a.kind === 'TENANT' ? ['USER'] : childKinds} />}>
          <ChildrenTable parentId={a.id} onOpen={onOpen} />
        </Card>
      )}
      <Card title={t('grant.history')} size="small">
        <GrantsTable accountId={a.id} />
      </Card>
    </Space>
  );
}

export function MoveForm({ accountId }: { accountId: string }) {
  const t = useT();
  const [parentId, setParentId] = useState('');
  return (
    <Space.Compact>
      <Input placeholder={t('account.newParent')} value={parentId} onChange={(e) => setParentId(e.target.value)} />
      <MoveSubmit accountId={accountId} parentId={parentId} />
    </Space.Compact>
  );
}

function MoveSubmit({ accountId, parentId }: { accountId: string; parentId: string }) {
  const t = useT();
  const { message } = App.useApp();
  const move = useMoveAccount();
  return (
    <Button
      loading={move.isPending}
      disabled={!parentId}
      onClick={() =>
        move.mutate(
          { id: accountId, parentId },
          { onSuccess: () => void message.success(t('common.done')), onError: (e) => void message.error(e.message) },
        )
      }
    >
      {t('account.move')}
    </Button>
  );
}
