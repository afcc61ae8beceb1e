import type { CatalogEntryView } from '@tiergate/contracts';
import { useCatalog, useDeleteCatalogModel, usePutCatalogModel } from '@tiergate/web-api-client';
import { formatCredits, parseCredits, useT } from '@tiergate/web-ui';
import { App, Button, Card, Form, Input, Popconfirm, Space, Table } from 'antd';

const creditsRule = { validator: (_: unknown, v: string) => (!v || parseCredits(v) !== null ? Promise.resolve() : Promise.reject(new Error('0.000001 …'))) };

/** The master's model catalog: the prices it charges its direct children, per 1M tokens. */
export function CatalogPage() {
  const t = useT();
  const { message } = App.useApp();
  const catalog = useCatalog();
  const put = usePutCatalogModel();
  const remove = useDeleteCatalogModel();
  const [form] = Form.useForm<{ model: string; input: string; output: string; cached?: string }>();
  return (
    <Card title={t('nav.catalog')} size="small">
      <Form
        form={form}
        layout="inline"
        style={{ marginBottom: 16 }}
        onFinish={(v) =>
          put.mutate(
            { model: v.model, inputPer1M: parseCredits(v.input)!, outputPer1M: parseCredits(v.output)!, ...(v.cached && { cachedInputPer1M: parseCredits(v.cached)! }) },
            { onSuccess: () => (form.resetFields(), void message.success(t('common.done'))), onError: (e) => void message.error(e.message) },
          )
        }
      >
        <Form.Item name="model" label={t('common.model')} rules={[{ required: true }]}>
          <Input style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="input" label={t('catalog.input')} rules={[{ required: true }, creditsRule]}>
          <Input style={{ width: 90 }} />
        </Form.Item>
        <Form.Item name="output" label={t('catalog.output')} rules={[{ required: true }, creditsRule]}>
          <Input style={{ width: 90 }} />
        </Form.Item>
        <Form.Item name="cached" label={t('catalog.cached')} rules={[creditsRule]}>
          <Input style={{ width: 90 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={put.isPending}>
          {t('catalog.set')}
        </Button>
      </Form>
      <Table<CatalogEntryView>
        rowKey="model"
        size="middle"
        loading={catalog.isPending}
        dataSource={catalog.data ?? []}
        pagination={false}
        columns={[
          { title: t('common.model'), dataIndex: 'model' },
          { title: t('catalog.input'), dataIndex: 'inputPer1M', render: (v: string) => formatCredits(v) },
          { title: t('catalog.output'), dataIndex: 'outputPer1M', render: (v: string) => formatCredits(v) },
          { title: t('catalog.cached'), dataIndex: 'cachedInputPer1M', render: (v: string | null) => (v ? formatCredits(v) : '—') },
          {
            title: t('common.actions'),
            key: 'a',
            render: (_, m) => (
              <Space>
                <Button size="small" onClick={() => form.setFieldsValue({ model: m.model, input: formatCredits(m.inputPer1M, 0), output: formatCredits(m.outputPer1M, 0) })}>
                  {t('common.open')}
                </Button>
                <Popconfirm title={t('catalog.remove')} onConfirm={() => remove.mutate(m.model)}>
                  <Button size="small" danger>
                    {t('catalog.remove')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
