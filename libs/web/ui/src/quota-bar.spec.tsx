import type { QuotaRuleView } from '@tiergate/contracts';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { I18nProvider, LANGUAGE_STORAGE_KEY, initialLanguage, translate } from './i18n.js';
import { QuotaBar, QuotaBars } from './quota-bar.js';

const rule = (over: Partial<QuotaRuleView>): QuotaRuleView => ({
  id: 'r1',
  unit: 'CREDITS',
  window: { kind: 'LIFETIME' },
  limit: '10000000',
  used: '2500000',
  resetsAt: null,
  main: true,
  ...over,
});

describe('QuotaBar', () => {
  beforeEach(() => localStorage.clear());
  afterEach(cleanup);
  const now = new Date('2026-03-01T10:00:00Z');

  it('shows used of limit in credits and the share as the bar', () => {
    render(
      <I18nProvider initial="en">
        <QuotaBar rule={rule({})} now={now} />
      </I18nProvider>,
    );
    expect(screen.getByText('2.50 / 10.00 used')).toBeTruthy();
    expect(screen.getByText('no reset')).toBeTruthy();
    expect(document.querySelector('.ant-progress')?.getAttribute('aria-valuenow')).toBe('25');
  });

  it('shows the time until a window resets, in the chosen language', () => {
    const windowed = rule({ unit: 'REQUESTS', limit: '500', used: '12', window: { kind: 'CALENDAR', period: 'week' }, resetsAt: '2026-03-02T13:30:00Z' });
    render(
      <I18nProvider initial="zh-CN">
        <QuotaBar rule={windowed} now={now} />
      </I18nProvider>,
    );
    expect(screen.getByText('1d 3h 后重置')).toBeTruthy();
    expect(screen.getByText('12 / 500 已用')).toBeTruthy();
    expect(screen.getByText('请求数')).toBeTruthy();
  });

  it('counts down by itself when no clock is given', async () => {
    const soon = new Date(Date.now() + 65_000).toISOString();
    render(
      <I18nProvider initial="en">
        <QuotaBar rule={rule({ resetsAt: soon })} />
      </I18nProvider>,
    );
    const first = screen.getByText(/^resets in/).textContent;
    await act(() => new Promise((r) => setTimeout(r, 2100)));
    expect(screen.getByText(/^resets in/).textContent).not.toBe(first);
  });

  it('an unlimited rule shows what was used and no share', () => {
    render(
      <I18nProvider initial="en">
        <QuotaBar rule={rule({ limit: null, used: '1234' })} now={now} />
      </I18nProvider>,
    );
    expect(screen.getByText('0.001234 / unlimited used')).toBeTruthy();
  });

  it('lists the main balance first and says when there is no rule', () => {
    render(
      <I18nProvider initial="en">
        <QuotaBars rules={[rule({ id: 'w', unit: 'TOKENS', main: false, limit: '100', used: '1' }), rule({ id: 'm' })]} now={now} />
        <QuotaBars rules={[]} />
      </I18nProvider>,
    );
    const units = [...document.querySelectorAll('[data-testid="quota-bar"]')].map((el) => el.getAttribute('data-unit'));
    expect(units).toEqual(['CREDITS', 'TOKENS']);
    expect(screen.getByText('No quota rule')).toBeTruthy();
  });
});

describe('language', () => {
  beforeEach(() => localStorage.clear());
  it('remembers the choice and otherwise follows the browser', () => {
    expect(initialLanguage(localStorage, 'zh-TW')).toBe('zh-CN');
    expect(initialLanguage(localStorage, 'en-GB')).toBe('en');
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'en');
    expect(initialLanguage(localStorage, 'zh-CN')).toBe('en');
  });
  it('fills values into messages', () => {
    expect(translate('en', 'quota.resetsIn', { time: '3h' })).toBe('resets in 3h');
    expect(translate('zh-CN', 'login.wrongTier', { console: '管理控制台', tier: '代理商', path: '/agent/' })).toBe('这里是管理控制台。代理商账号请在 /agent/ 登录。');
  });
});
