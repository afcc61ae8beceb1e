import type { MeView } from '@tiergate/web-api-client';
import { LanguageSwitch, useT } from '@tiergate/web-ui';
import { Card, Descriptions, Typography } from 'antd';

export function SettingsPage({ me }: { me: MeView }) {
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
      </Descriptions>
    </Card>
  );
}
