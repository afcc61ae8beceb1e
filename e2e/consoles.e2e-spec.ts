import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, pageErrors, personContext, screenshot } from './support/browser.js';
import { MASTER_PASSWORD, startServer, type StartedServer } from './support/server.js';

/**
 * The business run from the three consoles in a real browser against `pnpm start`: the master
 * creates an agent, the agent a sub-agent, the sub-agent a tenant, the tenant admin a user;
 * credit is granted down the chain; the user chats with the demo model and every console's
 * quota bar shows the charge. An agent can open neither the admin console nor a sibling.
 */
describe('the consoles, in Chromium', () => {
  let server: StartedServer;
  let browser: Browser;
  const run = randomBytes(3).toString('hex');
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const people = {
    agent: { name: `Agent A ${run}`, username: `agent-a-${run}` },
    sibling: { name: `Agent B ${run}`, username: `agent-b-${run}` },
    sub: { name: `Sub S ${run}`, username: `sub-s-${run}` },
    tenant: { name: `Tenant T ${run}`, username: `tenant-t-${run}` },
    user: { name: `User U ${run}`, username: `user-u-${run}` },
  };
  const pages: Record<string, Page> = {};

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function login(who: string, path: string, username: string, pw: string): Promise<Page> {
    const { page } = await personContext(browser, server.baseUrl);
    await page.goto(path);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(pw);
    await page.getByTestId('login-submit').click();
    pages[who] = page;
    return page;
  }

  async function createChild(page: Page, kind: 'Agent' | 'Tenant' | 'User', person: { name: string; username: string }) {
    await page.getByTestId('create-account').click();
    const modal = page.locator('.ant-modal:visible');
    const select = modal.getByTestId('create-account-kind');
    if ((await select.innerText()).trim() !== kind) {
      await select.click();
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${kind}"]`).click();
    }
    await modal.getByTestId('create-account-name').fill(person.name);
    await modal.getByTestId('create-account-username').fill(person.username);
    await modal.getByTestId('create-account-password').fill(password);
    await page.getByTestId('create-account-ok').filter({ visible: true }).click();
    await expect.poll(() => page.locator('[data-testid=children-table] tr', { hasText: person.name }).count(), { timeout: 20_000 }).toBe(1);
  }

  async function grant(page: Page, name: string, credits: string) {
    const row = page.locator('[data-testid=children-table] tr', { hasText: name });
    await row.locator('button[data-testid^="grant-"]').click();
    const modal = page.locator('.ant-modal:visible');
    await modal.getByTestId('grant-amount').fill(credits);
    await modal.getByTestId('grant-note').fill('e2e');
    await page.getByTestId('grant-ok').filter({ visible: true }).click();
    await expect.poll(() => row.locator('.tg-quota-text').innerText(), { timeout: 20_000 }).toBe(`0.00 / ${credits}.00 used`);
  }

  /** µc used on the main balance shown by the first quota bar of the page's quota card. */
  async function usedShown(page: Page): Promise<bigint> {
    const bar = page.locator('[data-testid=quota-card] [data-testid=quota-bar]').first();
    await bar.waitFor();
    return BigInt((await bar.getAttribute('data-used')) ?? '0');
  }

  it('the master creates two agents and grants them credit', async () => {
    const page = await login('master', '/admin/', 'master', MASTER_PASSWORD);
    await expect.poll(() => page.getByTestId('shell-tier').innerText()).toBe('Master');
    await createChild(page, 'Agent', people.agent);
    await createChild(page, 'Agent', people.sibling);
    await grant(page, people.agent.name, '100');
    await grant(page, people.sibling.name, '10');
  });

  it('the agent creates a sub-agent and grants it credit', async () => {
    const page = await login('agent', '/agent/', people.agent.username, password);
    await expect.poll(() => page.getByTestId('shell-account').innerText()).toBe(people.agent.name);
    await page.getByTestId('nav-children').click();
    await createChild(page, 'Agent', people.sub);
    await grant(page, people.sub.name, '50');
  });

  it('the sub-agent creates a tenant and grants it credit', async () => {
    const page = await login('sub', '/agent/', people.sub.username, password);
    await page.getByTestId('nav-children').click();
    await createChild(page, 'Tenant', people.tenant);
    await grant(page, people.tenant.name, '20');
  });

  it('the tenant admin creates a user and grants it credit', async () => {
    const page = await login('tenant', '/app/', people.tenant.username, password);
    await expect.poll(() => page.getByTestId('shell-tier').innerText()).toBe('Tenant admin');
    await page.getByTestId('nav-users').click();
    await createChild(page, 'User', people.user);
    await grant(page, people.user.name, '5');
    // A daily request cap on top of the balance: a second bar, with the time until it resets.
    await page.getByTestId(`open-${people.user.name}`).click();
    await page.locator('.ant-form-item', { hasText: 'Limit' }).locator('input').fill('100');
    await page.getByRole('button', { name: 'Add a quota rule' }).click();
    const daily = page.locator('[data-testid=quota-card] [data-testid=quota-bar][data-unit=REQUESTS]');
    await expect.poll(() => daily.count(), { timeout: 20_000 }).toBe(1);
    expect(await daily.innerText()).toMatch(/resets in \d+h \d+m/);
  });

  it('the user chats with the demo model and sees the answer stream in', async () => {
    const page = await login('user', '/app/', people.user.username, password);
    await expect.poll(() => page.getByTestId('model-picker').innerText(), { timeout: 30_000 }).toContain('demo-chat');
    expect(await usedShown(page)).toBe(0n);
    await page.getByTestId('chat-input').fill('Hello from the browser test');
    await page.getByTestId('chat-send').click();
    // Part of the answer is on screen while the stop button still shows: it is rendered as it arrives.
    const partial = await page.waitForFunction(
      () => {
        const answers = document.querySelectorAll('[data-testid=assistant-message]');
        const last = answers[answers.length - 1]?.textContent ?? '';
        return document.querySelector('[data-testid=chat-stop]') && last.length > 0 ? last : null;
      },
      undefined,
      { timeout: 30_000, polling: 5 },
    );
    const partialText = (await partial.jsonValue()) as string;
    await page.getByTestId('chat-send').waitFor({ timeout: 60_000 });
    const finalText = await page.getByTestId('assistant-message').last().innerText();
    expect(finalText.length).toBeGreaterThan(partialText.length);
    expect(finalText.startsWith(partialText.trim())).toBe(true);
    await expect.poll(() => page.getByTestId('user-message').last().innerText()).toBe('Hello from the browser test');
    expect(await page.getByTestId('chat-error').count()).toBe(0);
    await expect.poll(() => usedShown(page), { timeout: 20_000 }).toBeGreaterThan(0n);
    await expect.poll(() => page.locator('[data-testid=quota-bar][data-unit=REQUESTS]').getAttribute('data-used'), { timeout: 20_000 }).toBe('1');
    await screenshot(page, 'app-user-chat');
  });

  it('the quota bars in all four consoles show the charge', async () => {
    const charged: Record<string, bigint> = {};
    for (const [who, nav] of [
      ['user', 'nav-keys'],
      ['tenant', 'nav-overview'],
      ['sub', 'nav-overview'],
      ['agent', 'nav-overview'],
      ['master', 'nav-overview'],
    ] as const) {
      const page = pages[who]!;
      await page.getByTestId(nav).click();
      await page.reload();
      await expect.poll(() => usedShown(page), { timeout: 20_000 }).toBeGreaterThan(0n);
      charged[who] = await usedShown(page);
    }
    // Each level pays its parent's price for the same request; none pays nothing.
    expect(Object.values(charged).every((v) => v > 0n)).toBe(true);
    await screenshot(pages.master!, 'admin-overview');
    await screenshot(pages.agent!, 'agent-overview');
    await screenshot(pages.tenant!, 'app-tenant-overview');
    await pages.user!.getByTestId('nav-keys').click();
    await screenshot(pages.user!, 'app-user-keys');
  });

  it('the usage reports show the chat: per user for the tenant, in the request log, as a chart for the agent', async () => {
    const tenant = pages.tenant!;
    await tenant.getByTestId('nav-usage').click();
    // The persister writes usage rows in batches: reload until the report has them.
    await expect
      .poll(
        async () => {
          await tenant.reload();
          await tenant.getByTestId('usage-total-charged').waitFor();
          return tenant.getByTestId('usage-total-charged').innerText();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .not.toBe('0.00');
    await tenant.getByText('By child', { exact: true }).click();
    await expect.poll(() => tenant.locator('[data-testid=usage-panel] tr', { hasText: people.user.name }).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => tenant.locator('[data-testid=request-log] tr', { hasText: 'demo-chat' }).count(), { timeout: 20_000 }).toBe(1);
    await screenshot(tenant, 'app-tenant-usage');

    const agent = pages.agent!;
    await agent.getByTestId('nav-usage').click();
    await agent.getByTestId('usage-chart').waitFor({ timeout: 20_000 });
    expect(await agent.locator('[data-testid=usage-chart] rect').count()).toBeGreaterThan(0);
    await screenshot(agent, 'agent-usage');
  });

  it('the master sees the tree, the catalog, the channels and the audit log', async () => {
    const page = pages.master!;
    await page.getByTestId('nav-tree').click();
    await page.getByText(`${people.agent.name} · AGENT`).click();
    await expect.poll(() => page.locator('.ant-card-head-title', { hasText: people.agent.name }).count()).toBeGreaterThan(0);
    await screenshot(page, 'admin-tree');
    await page.getByTestId('nav-catalog').click();
    await expect.poll(() => page.locator('td', { hasText: 'demo-chat' }).count()).toBeGreaterThan(0);
    await page.getByTestId('nav-channels').click();
    await expect.poll(() => page.locator('td', { hasText: 'Built-in demo upstream' }).count()).toBeGreaterThan(0);
    await screenshot(page, 'admin-channels');
    await page.getByTestId('nav-audit').click();
    await expect.poll(() => page.locator('[data-testid=audit-table] tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    await screenshot(page, 'admin-audit');
  });

  it('an agent cannot open the admin console, nor a sibling agent', async () => {
    // Signing in to /admin/ with an agent's login is refused, naming the right console.
    const { page } = await personContext(browser, server.baseUrl);
    await page.goto('/admin/');
    await page.getByTestId('login-username').fill(people.agent.username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('wrong-tier').innerText()).toContain('Agent accounts sign in at /agent/');
    await screenshot(page, 'admin-refuses-agent');

    // An agent's token planted in the admin console's storage is refused as well.
    const agentPage = pages.agent!;
    const agentSession = await agentPage.evaluate(() => localStorage.getItem('tg.session.agent'));
    await agentPage.evaluate((s) => localStorage.setItem('tg.session.admin', s!), agentSession);
    await agentPage.goto('/admin/');
    await expect.poll(() => agentPage.getByTestId('wrong-tier').innerText()).toContain('This is the Admin console');

    // The sibling's page in the agent portal shows nothing of it.
    const master = pages.master!;
    const siblingId = await master.evaluate(async (name) => {
      const session = JSON.parse(localStorage.getItem('tg.session.admin')!) as { accessToken: string; account: { id: string } };
      const res = await fetch(`/api/v1/accounts/${session.account.id}/children?limit=200`, { headers: { authorization: `Bearer ${session.accessToken}` } });
      const page = (await res.json()) as { items: { id: string; name: string }[] };
      return page.items.find((a) => a.name === name)!.id;
    }, people.sibling.name);
    await agentPage.goto(`/agent/#/children/${siblingId}`);
    await agentPage.getByTestId('not-found').waitFor();
    expect(await agentPage.getByText(people.sibling.name).count()).toBe(0);
    await screenshot(agentPage, 'agent-sibling-hidden');
  });

  it('switches to Chinese, with antd in Chinese too, and remembers it', async () => {
    const page = pages.sub!;
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('language-switch').getByText('中文').click();
    await expect.poll(() => page.getByTestId('shell-tier').innerText()).toBe('代理商');
    await page.reload();
    await expect.poll(() => page.getByTestId('shell-tier').innerText()).toBe('代理商');
    await screenshot(page, 'agent-overview-zh');
    // antd's own texts follow: the dialog's buttons are Chinese.
    await page.getByTestId('nav-children').click();
    await page.getByTestId('create-account').click();
    const ok = page.getByTestId('create-account-ok').filter({ visible: true });
    await expect.poll(async () => (await ok.innerText()).replace(/\s/g, '')).toBe('确定');
    await page.locator('.ant-modal:visible .ant-modal-footer .ant-btn').first().click();
  });

  it('logout returns to the login page', async () => {
    const page = pages.tenant!;
    await page.getByTestId('logout').click();
    await page.getByTestId('login-username').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('tg.session.app'))).toBeNull();
  });

  it('no page threw an uncaught error', () => {
    expect(pageErrors).toEqual([]);
  });
});
