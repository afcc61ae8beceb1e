import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The report routes over HTTP: validation gives clear 400s, CSV comes as a download. */
describe('usage report routes', () => {
  let t: TestApp;
  let api: Api;
  let agent: { token: string; account: { id: string } };

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t.baseUrl);
    const master = await api.loginMaster();
    agent = await api.createAndLogin(master.accessToken, 'AGENT', 'Reporting agent');
  });
  afterAll(() => t?.close());

  it('answers an empty report for a fresh account', async () => {
    const res = await api.call('GET', `/api/v1/accounts/${agent.account.id}/usage?from=2026-01-01&to=2026-02-01&groupBy=model`, { token: agent.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accountId: agent.account.id,
      from: '2026-01-01',
      to: '2026-02-01',
      groupBy: 'model',
      rows: [],
      total: { requests: '0', tokens: '0', charged: '0', revenue: '0', margin: '0' },
    });
    const log = await api.call('GET', `/api/v1/accounts/${agent.account.id}/requests?limit=5`, { token: agent.token });
    expect(log.status).toBe(200);
    expect(log.body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['usage?groupBy=week', 'groupBy must be one of day, model, child'],
    ['usage?from=yesterday', 'from must be an ISO 8601 date'],
    ['usage?from=2026-02-01&to=2026-01-01', 'from must be before to'],
    ['requests?status=nope', 'status must be one of'],
    ['requests?keyId=42', 'keyId must be an API key id'],
    ['requests?limit=0', 'limit'],
    ['requests?cursor=garbage', 'cursor is not one this endpoint returned'],
    ['usage?extra=1', 'extra'],
  ])('refuses %s with a 400 that says why', async (query, message) => {
    const res = await api.call<{ error: { code: string; message: string } }>('GET', `/api/v1/accounts/${agent.account.id}/${query}`, { token: agent.token });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
  });

  it('exports CSV as an attachment', async () => {
    const res = await api.call<string>('GET', `/api/v1/accounts/${agent.account.id}/usage/export?groupBy=child`, { token: agent.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="usage.csv"');
    expect(res.body).toBe('child,name,requests,tokens,charged_credits,revenue_credits,margin_credits\r\n');
    const log = await api.call<string>('GET', `/api/v1/accounts/${agent.account.id}/requests/export`, { token: agent.token });
    expect(log.body).toBe('request_id,settled_at,account_id,api_key_id,model,status,input_tokens,cached_tokens,output_tokens,charged_credits\r\n');
  });
});
