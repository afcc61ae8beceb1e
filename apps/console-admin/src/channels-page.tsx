import type { ChannelEventView, ChannelView } from '@tiergate/contracts';
import { useChannelEvents, useChannels, useCreateChannel, useUpdateChannel } from '@tiergate/web-api-client';
import { CursorTable, useCursorPager, useT } from '@tiergate/web-ui';
import { App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Tag } from 'antd';
import { useState } from 'react';

const HEALTH_COLOR: Record<string, string> = { ENABLED: 'green', DISABLED_HEALTH: 'orange', DISABLED_MANUAL: 'default' };

/** Upstream channels with their keys' health, and each channel's auto-disable history. */
export function ChannelsPage({ selected, onSelect }: { selected?: string; onSelect: (id: string) => void }) {
  const t = useT();
  const pager = useCursorPager();
  const channels = useChannels(pager.cursor);
  const update = useUpdateChannel();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large">
      <Card title={t('nav.channels')} size="small" extra={<NewChannelButton />}>
        <CursorTable<ChannelView>
          rowKey="id"
          data={channels.data}
          pager={pager}
          loading={channels.isFetching}
          columns={[
            { title: t('common.name'), dataIndex: 'name', render: (n: string, c) => <a onClick={() => onSelect(c.id)}>{n}</a> },
            { title: t('channels.provider'), dataIndex: 'provider' },
            { title: t('channels.models'), dataIndex: 'models', render: (m: string[]) => m.join(', ') },
            { title: t('channels.priority'), dataIndex: 'priority' },
            { title: t('channels.health'), dataIndex: 'status', render: (s: string) => <Tag color={HEALTH_COLOR[s] ?? 'default'}>{s}</Tag> },
            {
              title: t('channels.keys'),
              dataIndex: 'keys',
              render: (keys: ChannelView['keys']) => (
                <Space wrap>
                  {keys.map((k) => (
                    <Tag key={k.id} color={HEALTH_COLOR[k.status] ?? 'default'}>
                      {k.masked}
                    </Tag>
                  ))}
                </Space>
              ),
            },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_, c) => (
                <Button size="small" loading={update.isPending} onClick={() => update.mutate({ id: c.id, status: c.status === 'ENABLED' ? 'DISABLED_MANUAL' : 'ENABLED' })}>
                  {c.status === 'ENABLED' ? t('channels.disable') : t('channels.enable')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      {selected && <ChannelEvents channelId={selected} />}
    </Space>
  );
}

function ChannelEvents({ channelId }: { channelId: string }) {
  const t = useT();
  const pager = useCursorPager();
  const events = useChannelEvents(channelId, pager.cursor);
  return (
    <Card title={t('channels.events')} size="small">
      <CursorTable<ChannelEventView>
        rowKey="id"
        data={events.data}
        pager={pager}
        loading={events.isFetching}
        columns={[
          { title: t('common.created'), dataIndex: 'createdAt', render: (v: string) => new Date(v).toLocaleString() },
          { title: t('channels.from'), dataIndex: 'from' },
          { title: t('channels.to'), dataIndex: 'to' },
          { title: t('channels.reason'), dataIndex: 'reason' },
        ]}
      />
    </Card>
  );
}

function NewChannelButton() {
  const t = useT();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const create = useCreateChannel();
  const [form] = Form.useForm<{ name: string; provider: string; baseUrl: string; keys: string; models: string; priority?: number }>();
  const submit = async () => {
    const v = await form.validateFields();
    await create.mutateAsync({
      name: v.name,
      provider: v.provider,
      baseUrl: v.baseUrl,
      keys: v.keys.split('\n').map((k) => k.trim()).filter(Boolean),
      models: v.models.split(',').map((m) => m.trim()).filter(Boolean),
      priority: v.priority,
    });
    void message.success(t('common.done'));
    form.resetFields();
    setOpen(false);
  };
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {t('channels.new')}
      </Button>
      <Modal open={open} title={t('channels.new')} onOk={() => void submit().catch((e: Error) => void message.error(e.message))} onCancel={() => setOpen(false)} confirmLoading={create.isPending}>
        <Form form={form} layout="vertical" initialValues={{ provider: 'openai' }}>
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="provider" label={t('channels.provider')} rules={[{ required: true }]}>
            <Select options={['openai', 'anthropic', 'gemini'].map((p) => ({ value: p, label: p }))} />
          </Form.Item>
          <Form.Item name="baseUrl" label={t('channels.baseUrl')} rules={[{ required: true }]}>
            <Input placeholder="https://…/v1" />
          </Form.Item>
          <Form.Item name="keys" label={t('channels.keys')} extra={t('channels.keysHint')} rules={[{ required: true }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="models" label={t('channels.models')} extra={t('channels.modelsHint')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="priority" label={t('channels.priority')}>
            <InputNumber precision={0} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
