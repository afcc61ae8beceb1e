import { type MeView, useRedeem } from '@tiergate/web-api-client';
import { LanguageSwitch, useT } from '@tiergate/web-ui';
import { App, Button, Card, Descriptions, Input, Space, Typography } from 'antd';
import { useState } from 'react';

export function SettingsPage({ me }: { me: MeView }) {
  const t = useT();
  const { message } = App.useApp();
  const redeem = useRedeem();
  const [code, setCode] = useState('');
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
        <Descriptions.Item label={t('codes.redeem')}>
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
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
