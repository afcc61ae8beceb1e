import { type MeView, useRedeem } from '@tiergate/web-api-client';
import { App, Button, Card, Descriptions, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { LanguageSwitch } from './console-root.js';
import { useT } from './i18n.js';

/**
 * The settings page of every console: who is signed in, the language, and — for accounts that
 * have a parent to redeem from (not the master) — a redemption code field.
 */
export function SettingsPanel({ me, redeem = false }: { me: MeView; redeem?: boolean }) {
  const t = useT();
  return (
    <Card title={t('settings.title')} size="small">
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('settings.account')}>
          {me.account.name} ({t(`tier.${me.tier}`)})
        </Descriptions.Item>
        <Descriptions.Item label={t('account.id')}>
          <Typography.Text copyable>{me.account.id}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('shell.language')}>
          <LanguageSwitch />
        </Descriptions.Item>
        {redeem && (
          <Descriptions.Item label={t('codes.redeem')}>
            <RedeemField />
          </Descriptions.Item>
        )}
      </Descriptions>
    </Card>
  );
}

function RedeemField() {
  const t = useT();
  const { message } = App.useApp();
  const redeem = useRedeem();
  const [code, setCode] = useState('');
  return (
    <Space.Compact>
      <Input value={code} onChange={(e) => setCode(e.target.value)} style={{ width: 260 }} />
      <Button
        disabled={!code.trim()}
        loading={redeem.isPending}
        onClick={() => redeem.mutate({ code: code.trim() }, { onSuccess: () => (setCode(''), void message.success(t('common.done'))), onError: (e) => void message.error(e.message) })}
      >
        {t('settings.redeem')}
      </Button>
    </Space.Compact>
  );
}
