import type { ThemeConfig } from 'antd';

/** One look for the three consoles. */
export const theme: ThemeConfig = {
  token: { colorPrimary: '#2f54eb', borderRadius: 6, fontSize: 14 },
  components: { Layout: { headerBg: '#10239e', siderBg: '#ffffff' } },
};
