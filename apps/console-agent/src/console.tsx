import { BarChartOutlined, DashboardOutlined, GiftOutlined, SettingOutlined, TagsOutlined, TeamOutlined } from '@ant-design/icons';
import type { MeView } from '@tiergate/web-api-client';
import { AccountDetail, AppShell, ChildrenTable, CodesPanel, ConsoleRoot, CONSOLES, CreateAccountButton, PriceListEditor, QuotaCard, RequestLogPanel, SettingsPanel, UsagePanel, useHashRoute, useT } from '@tiergate/web-ui';
import { Card, Space } from 'antd';

export function Console() {
  return <ConsoleRoot consoleId="agent">{({ me }) => <AgentShell me={me} />}</ConsoleRoot>;
}

/** An agent at any depth: everything it sees is its own subtree (the API refuses the rest). */
function AgentShell({ me }: { me: MeView }) {
  const t = useT();
  const [route, go] = useHashRoute();
  const page = route[0] ?? 'overview';
  const self = me.account.id;
  const nav = [
    { key: 'overview', label: t('nav.overview'), icon: <DashboardOutlined /> },
    { key: 'children', label: t('nav.children'), icon: <TeamOutlined /> },
    { key: 'usage', label: t('nav.usage'), icon: <BarChartOutlined /> },
    { key: 'prices', label: t('nav.prices'), icon: <TagsOutlined /> },
    { key: 'codes', label: t('nav.codes'), icon: <GiftOutlined /> },
    { key: 'settings', label: t('nav.settings'), icon: <SettingOutlined /> },
  ];
  return (
    <AppShell info={CONSOLES.agent} me={me} nav={nav} selected={page} onNavigate={(k) => go(`/${k}`)}>
      {page === 'overview' && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <QuotaCard accountId={self} />
          <PriceListEditor accountId={self} />
        </Space>
      )}
      {page === 'children' && !route[1] && (
        <Card title={t('nav.children')} size="small" extra={<CreateAccountButton kinds={['AGENT', 'TENANT']} />}>
          <ChildrenTable parentId={self} onOpen={(id) => go(`/children/${id}`)} />
        </Card>
      )}
      {page === 'children' && route[1] && <AccountDetail accountId={route[1]} onOpen={(id) => go(`/children/${id}`)} childKinds={[]} viewerId={self} />}
      {page === 'usage' && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <UsagePanel accountId={self} />
          <RequestLogPanel accountId={self} />
        </Space>
      )}
      {page === 'prices' && <PriceListEditor accountId={self} />}
      {page === 'codes' && <CodesPanel accountId={self} />}
      {page === 'settings' && <SettingsPanel me={me} redeem />}
    </AppShell>
  );
}
