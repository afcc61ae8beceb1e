import type { AuditEntryView } from '@tiergate/contracts';
import { useAuditLog } from '@tiergate/web-api-client';
import { CursorTable, useCursorPager, useT } from '@tiergate/web-ui';
import { Card, Input, Space, Typography } from 'antd';
import { useState } from 'react';

const short = (v: unknown) => (v === null || v === undefined ? '—' : JSON.stringify(v));

/** Every management write: who, what, on whom, before and after. */
export function AuditPage() {
  const t = useT();
  const pager = useCursorPager();
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState('');
  const [targetId, setTargetId] = useState('');
  const uuid = (v: string) => (/^[0-9a-f-]{36}$/i.test(v.trim()) ? v.trim() : undefined);
  const log = useAuditLog({ action: action.trim() || undefined, actorId: uuid(actorId), targetId: uuid(targetId) }, pager.cursor);
  const change = (set: (v: string) => void) => (e: { target: { value: string } }) => {
    set(e.target.value);
    pager.reset();
  };
  return (
    <Card title={t('nav.audit')} size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input placeholder={t('audit.action')} value={action} onChange={change(setAction)} style={{ width: 180 }} />
        <Input placeholder={t('audit.actor')} value={actorId} onChange={change(setActorId)} style={{ width: 300 }} />
        <Input placeholder={t('audit.target')} value={targetId} onChange={change(setTargetId)} style={{ width: 300 }} />
      </Space>
      <CursorTable<AuditEntryView>
        data-testid="audit-table"
        rowKey="id"
        data={log.data}
        pager={pager}
        loading={log.isFetching}
        columns={[
          { title: t('common.created'), dataIndex: 'createdAt', render: (v: string) => new Date(v).toLocaleString() },
          { title: t('audit.action'), dataIndex: 'action' },
          { title: t('audit.actor'), dataIndex: 'actorId', render: (v: string | null) => (v ? <Typography.Text copyable={{ text: v }}>{v.slice(0, 8)}</Typography.Text> : '—') },
          { title: t('audit.target'), dataIndex: 'targetId', render: (v: string | null) => (v ? <Typography.Text copyable={{ text: v }}>{v.slice(0, 8)}</Typography.Text> : '—') },
          {
            title: t('audit.change'),
            key: 'change',
            render: (_, e) => (
              <Typography.Text style={{ fontSize: 12 }} ellipsis={{ tooltip: `${short(e.before)} → ${short(e.after)}` }}>
                {short(e.before)} → {short(e.after)}
              </Typography.Text>
            ),
          },
        ]}
      />
    </Card>
  );
}
