import { GlobalOutlined, LogoutOutlined } from '@ant-design/icons';
import type { Tier } from '@tiergate/contracts';
import {
  ApiProvider,
  HttpClient,
  localSessionStore,
  type MeView,
  type Session,
  useHttp,
  useLogin,
  useLogout,
  useMe,
} from '@tiergate/web-api-client';
import { Alert, App as AntApp, Button, Card, Form, Input, Layout, Menu, type MenuProps, Result, Segmented, Space, Spin, Tag, Typography } from 'antd';
import { type ReactNode, useMemo, useState, useSyncExternalStore } from 'react';
import { CONSOLES, type ConsoleId, type ConsoleInfo, consoleOfTier } from './consoles.js';
import { I18nProvider, type Language, useI18n, useT } from './i18n.js';

/** A session store that React can watch: login, refresh and logout re-render the console. */
function watchedStore(key: string) {
  const inner = localSessionStore(key);
  const listeners = new Set<() => void>();
  let snapshot = inner.get();
  return {
    get: () => snapshot,
    set(session: Session | null) {
      inner.set(session);
      snapshot = session;
      listeners.forEach((l) => l());
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface ConsoleContext {
  me: MeView;
  session: Session;
}

/** Everything a console page sits in: language, antd, the API client and the login gate. */
export function ConsoleRoot({ consoleId, children }: { consoleId: ConsoleId; children: (ctx: ConsoleContext) => ReactNode }) {
  const info = CONSOLES[consoleId];
  const [{ store, client }] = useState(() => {
    const store = watchedStore(`tg.session.${consoleId}`);
    return { store, client: new HttpClient({ store }) };
  });
  return (
    <I18nProvider>
      <AntApp>
        <ApiProvider client={client}>
          <Gate info={info} store={store}>
            {children}
          </Gate>
        </ApiProvider>
      </AntApp>
    </I18nProvider>
  );
}

function Gate({ info, store, children }: { info: ConsoleInfo; store: ReturnType<typeof watchedStore>; children: (ctx: ConsoleContext) => ReactNode }) {
  const session = useSyncExternalStore(store.subscribe, store.get);
  const me = useMe(session?.account.id);
  const logout = useLogout();
  const t = useT();
  if (!session) return <LoginPage info={info} />;
  if (me.isPending) return <Spin size="large" style={{ display: 'block', margin: '20vh auto' }} />;
  if (me.isError || !me.data) return <LoginPage info={info} />;
  if (!info.tiers.includes(me.data.tier)) {
    // A token of another tier (e.g. copied from another console) is refused here as well.
    return (
      <Result
        status="403"
        title={<WrongTier info={info} tier={me.data.tier} />}
        extra={
          <Button type="primary" onClick={() => logout.mutate()}>
            {t('shell.logout')}
          </Button>
        }
      />
    );
  }
  return <>{children({ me: me.data, session })}</>;
}

function WrongTier({ info, tier }: { info: ConsoleInfo; tier: Tier }) {
  const t = useT();
  const target = consoleOfTier(tier);
  return (
    <span data-testid="wrong-tier">
      {t('login.wrongTier', { console: t(info.title), tier: t(`tier.${tier}`), path: target.path })}{' '}
      <a href={target.path}>{target.path}</a>
    </span>
  );
}

export function LanguageSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <Segmented<Language>
      data-testid="language-switch"
      size="small"
      value={lang}
      onChange={(v) => setLang(v)}
      options={[
        { label: 'EN', value: 'en' },
        { label: '中文', value: 'zh-CN' },
      ]}
    />
  );
}

function LoginPage({ info }: { info: ConsoleInfo }) {
  const t = useT();
  const http = useHttp();
  const login = useLogin();
  const [refused, setRefused] = useState<Tier | null>(null);
  const onFinish = async (v: { username: string; password: string }) => {
    setRefused(null);
    const res = await login.mutateAsync(v).catch(() => null);
    if (!res) return;
    if (!info.tiers.includes(res.tier)) {
      setRefused(res.tier);
      await http.discard(res);
      return;
    }
    http.adopt(res);
  };
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 380 }} title={<Space><Typography.Text strong>Tiergate</Typography.Text>{t(info.title)}</Space>} extra={<LanguageSwitch />}>
        <Form layout="vertical" onFinish={onFinish} requiredMark={false}>
          <Form.Item label={t('login.username')} name="username" rules={[{ required: true }]}>
            <Input autoComplete="username" data-testid="login-username" />
          </Form.Item>
          <Form.Item label={t('login.password')} name="password" rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          {login.error && <Alert type="error" showIcon title={login.error.message} style={{ marginBottom: 16 }} />}
          {refused && <Alert type="error" showIcon title={<WrongTier info={info} tier={refused} />} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}

export interface NavItem {
  key: string;
  label: ReactNode;
  icon?: ReactNode;
}

/** Header with the console, the tier and the account; a menu on the side; the page in the middle. */
export function AppShell({
  info,
  me,
  nav,
  selected,
  onNavigate,
  children,
}: {
  info: ConsoleInfo;
  me: MeView;
  nav: NavItem[];
  selected: string;
  onNavigate: (key: string) => void;
  children: ReactNode;
}) {
  const t = useT();
  const logout = useLogout();
  const items: MenuProps['items'] = useMemo(() => nav.map((n) => ({ key: n.key, label: <span data-testid={`nav-${n.key}`}>{n.label}</span>, icon: n.icon })), [nav]);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, color: '#fff' }}>
        <Typography.Text strong style={{ color: '#fff', fontSize: 18 }}>
          Tiergate · {t(info.title)}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <Tag color="gold" data-testid="shell-tier">
          {t(`tier.${me.tier}`)}
        </Tag>
        <span data-testid="shell-account" style={{ color: '#fff' }}>
          {me.account.name}
        </span>
        <GlobalOutlined />
        <LanguageSwitch />
        <Button size="small" icon={<LogoutOutlined />} onClick={() => logout.mutate()} data-testid="logout">
          {t('shell.logout')}
        </Button>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={210} theme="light">
          <Menu mode="inline" selectedKeys={[selected]} items={items} onClick={(e) => onNavigate(e.key)} style={{ height: '100%' }} />
        </Layout.Sider>
        <Layout.Content style={{ padding: 24 }}>{children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
