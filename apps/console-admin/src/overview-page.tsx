import type { MeView } from '@tiergate/web-api-client';
import { ChildrenTable, CreateAccountButton, QuotaCard, useT } from '@tiergate/web-ui';
import { Card, Space } from 'antd';

/** The master's own counters (everything its subtree spent) and its direct children. */
export function OverviewPage({ me, onOpen }: { me: MeView; onOpen: (id: string) => void }) {
  const t = useT();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large">
      <QuotaCard accountId={me.account.id} />
      <Card title={t('nav.children')} size="small" extra={<CreateAccountButton kinds={['AGENT', 'TENANT']} />}>
        <ChildrenTable parentId={me.account.id} onOpen={onOpen} />
      </Card>
    </Space>
  );
}
