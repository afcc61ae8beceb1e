import { ApiOutlined, ApartmentOutlined, AuditOutlined, BarChartOutlined, DashboardOutlined, SettingOutlined, TagsOutlined } from '@ant-design/icons';
import { AppShell, ConsoleRoot, CONSOLES, RequestLogPanel, SettingsPanel, UsagePanel, useHashRoute, useT } from '@tiergate/web-ui';
import { Space } from 'antd';
import { AuditPage } from './audit-page.js';
import { CatalogPage } from './catalog-page.js';
import { ChannelsPage } from './channels-page.js';
import { OverviewPage } from './overview-page.js';
import { TreePage } from './tree-page.js';

export function Console() {
  return <ConsoleRoot consoleId="admin">{({ me }) => <AdminShell me={me} />}</ConsoleRoot>;
}

function AdminShell({ me }: { me: Parameters<typeof AppShell>[0]['me'] }) {
  const t = useT();
  const [route, go] = useHashRoute();
  const page = route[0] ?? 'overview';
  const nav = [
    { key: 'overview', label: t('nav.overview'), icon: <DashboardOutlined /> },
    { key: 'tree', label: t('nav.tree'), icon: <ApartmentOutlined /> },
    { key: 'usage', label: t('nav.usage'), icon: <BarChartOutlined /> },
    { key: 'catalog', label: t('nav.catalog'), icon: <TagsOutlined /> },
    { key: 'channels', label: t('nav.channels'), icon: <ApiOutlined /> },
    { key: 'audit', label: t('nav.audit'), icon: <AuditOutlined /> },
    { key: 'settings', label: t('nav.settings'), icon: <SettingOutlined /> },
  ];
  return (
    <AppShell info={CONSOLES.admin} me={me} nav={nav} selected={page} onNavigate={(k) => go(`/${k}`)}>
      {page === 'overview' && <OverviewPage me={me} onOpen={(id) => go(`/tree/${id}`)} />}
      {page === 'tree' && <TreePage rootId={me.account.id} selected={route[1]} onSelect={(id) => go(`/tree/${id}`)} />}
      {page === 'usage' && <UsagePages accountId={me.account.id} />}
      {page === 'catalog' && <CatalogPage />}
      {page === 'channels' && <ChannelsPage selected={route[1]} onSelect={(id) => go(`/channels/${id}`)} />}
      {page === 'audit' && <AuditPage />}
      {page === 'settings' && <SettingsPanel me={me} />}
    </AppShell>
  );
}

/** Global usage: the master's counters are the whole installation's (revenue, upstream cost, margin). */
function UsagePages({ accountId }: { accountId: string }) {
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large">
      <UsagePanel accountId={accountId} />
      <RequestLogPanel accountId={accountId} />
    </Space>
  );
}
