import { BarChartOutlined, DashboardOutlined, KeyOutlined, MessageOutlined, SettingOutlined, TagsOutlined, TeamOutlined } from '@ant-design/icons';
import type { MeView } from '@tiergate/web-api-client';
import { AccountDetail, ApiKeysPanel, AppShell, ChildrenTable, ConsoleRoot, CONSOLES, CreateAccountButton, PriceListEditor, QuotaCard, RequestLogPanel, SettingsPanel, UsagePanel, useHashRoute, useT } from '@tiergate/web-ui';
import { Card, Space } from 'antd';
import { ChatPage } from './chat-page.js';

export function Console() {
  return <ConsoleRoot consoleId="app">{({ me }) => (me.tier === 'tenant' ? <TenantShell me={me} /> : <UserShell me={me} />)}</ConsoleRoot>;
}

/** A tenant admin: its users (quotas, keys, usage), its price list and its own keys. */
function TenantShell({ me }: { me: MeView }) {
  const t = useT();
  const [route, go] = useHashRoute();
  const page = route[0] ?? 'overview';
  const self = me.account.id;
  const nav = [
    { key: 'overview', label: t('nav.overview'), icon: <DashboardOutlined /> },
    { key: 'users', label: t('nav.users'), icon: <TeamOutlined /> },
    { key: 'usage', label: t('nav.usage'), icon: <BarChartOutlined /> },
    { key: 'prices', label: t('nav.prices'), icon: <TagsOutlined /> },
    { key: 'keys', label: t('nav.keys'), icon: <KeyOutlined /> },
    { key: 'settings', label: t('nav.settings'), icon: <SettingOutlined /> },
  ];
  return (
    <AppShell info={CONSOLES.app} me={me} nav={nav} selected={page} onNavigate={(k) => go(`/${k}`)}>
      {page === 'overview' && <QuotaCard accountId={self} />}
      {page === 'users' && !route[1] && (
        <Card title={t('nav.users')} size="small" extra={<CreateAccountButton kinds={['USER']} />}>
          <ChildrenTable parentId={self} onOpen={(id) => go(`/users/${id}`)} />
        </Card>
      )}
      {page === 'users' && route[1] && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <AccountDetail accountId={route[1]} viewerId={self} />
          <ApiKeysPanel accountId={route[1]} />
        </Space>
      )}
      {page === 'usage' && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <UsagePanel accountId={self} />
          <RequestLogPanel accountId={self} />
        </Space>
      )}
      {page === 'prices' && <PriceListEditor accountId={self} />}
      {page === 'keys' && <ApiKeysPanel accountId={self} />}
      {page === 'settings' && <SettingsPanel me={me} redeem />}
    </AppShell>
  );
}

/** An end user: chat, its remaining quota, its own API keys. */
function UserShell({ me }: { me: MeView }) {
  const t = useT();
  const [route, go] = useHashRoute();
  const page = route[0] ?? 'chat';
  const self = me.account.id;
  const nav = [
    { key: 'chat', label: t('nav.chat'), icon: <MessageOutlined /> },
    { key: 'keys', label: t('nav.keys'), icon: <KeyOutlined /> },
    { key: 'usage', label: t('nav.usage'), icon: <BarChartOutlined /> },
    { key: 'settings', label: t('nav.settings'), icon: <SettingOutlined /> },
  ];
  return (
    <AppShell info={CONSOLES.app} me={me} nav={nav} selected={page} onNavigate={(k) => go(`/${k}`)}>
      {page === 'usage' && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <UsagePanel accountId={self} showRevenue={false} />
          <RequestLogPanel accountId={self} />
        </Space>
      )}
      {page === 'chat' && <ChatPage me={me} />}
      {page === 'keys' && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <QuotaCard accountId={self} />
          <ApiKeysPanel accountId={self} />
        </Space>
      )}
      {page === 'settings' && <SettingsPanel me={me} redeem />}
    </AppShell>
  );
}
