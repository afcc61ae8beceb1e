import { JwtService } from '@nestjs/jwt';
import { AppConfig, TOKEN_ISSUER } from '@tiergate/api-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { MASTER_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

describe('auth', () => {
  let t: TestApp;
  let api: Api;
  let masterToken: string;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_FAILURES_PER_USERNAME: '5' });
    api = new Api(t.baseUrl);
    masterToken = (await api.loginMaster()).accessToken;
  });
  afterAll(() => t?.close());

  it('logs the master in with MASTER_PASSWORD and answers /me with its tier', async () => {
    const login = await api.loginMaster();
    expect(login.account).toMatchObject({ kind: 'MASTER', name: 'Master' });
    expect(login.tier).toBe('master');
    const me = await api.call('GET', '/api/v1/me', { token: login.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tier: 'master', account: { id: login.account.id, kind: 'MASTER', parentId: null } });
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await api.call('POST', '/api/v1/auth/login', { body: { username: 'master', password: 'not-it' } });
    const unknown = await api.call('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'not-it' } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_credentials');
      expect(res.body.error.id).toEqual(expect.any(String));
    }
  });

  it('locks a username after repeated failures, and a success clears the count', async () => {
    const agent = await api.createAndLogin(masterToken, 'AGENT', 'LockMe');
    // Two failures, then a success: the count starts again.
    for (let i = 0; i < 2; i++) {
      expect((await api.call('POST', '/api/v1/auth/login', { body: { username: agent.username, password: 'wrong-password' } })).status).toBe(401);
    }
    await api.login(agent.username, agent.password);
    for (let i = 0; i < 5; i++) {
      const res = await api.call('POST', '/api/v1/auth/login', { body: { username: agent.username, password: 'wrong-password' } });
      expect(res.status).toBe(401);
    }
    // Locked now, even with the right password.
    const locked = await api.call('POST', '/api/v1/auth/login', { body: { username: agent.username, password: agent.password } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_login_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a missing, malformed, forged and expired access token', async () => {
    const none = await api.call('GET', '/api/v1/me');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('missing_token');

    const garbage = await api.call('GET', '/api/v1/me', { token: 'not.a.jwt' });
    expect(garbage.status).toBe(401);
    expect(garbage.body.error.code).toBe('invalid_token');

    const login = await api.loginMaster();
    const forged = new JwtService({ secret: 'another-secret' }).sign(
      { sub: login.account.id, aud: 'master', kind: 'MASTER', iss: TOKEN_ISSUER },
      { expiresIn: 60 },
    );
    expect((await api.call('GET', '/api/v1/me', { token: forged })).status).toBe(401);

    const secret = t.app.get(AppConfig).jwtSecret;
    const expired = new JwtService({ secret }).sign(
      { sub: login.account.id, aud: 'master', kind: 'MASTER', iss: TOKEN_ISSUER, exp: Math.floor(Date.now() / 1000) - 10 },
    );
    const res = await api.call('GET', '/api/v1/me', { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_expired');

    // A token whose audience does not match its kind was not minted by us.
    const mismatched = new JwtService({ secret }).sign(
      { sub: login.account.id, aud: 'user', kind: 'MASTER', iss: TOKEN_ISSUER },
      { expiresIn: 60 },
    );
    expect((await api.call('GET', '/api/v1/me', { token: mismatched })).status).toBe(401);
  });

  it("refuses a token of one tier on another tier's routes", async () => {
    const tenant = await api.createAndLogin(masterToken, 'TENANT', 'TierTenant');
    const user = await api.createAndLogin(tenant.token, 'USER', 'TierUser');
    // The user tier may read itself but not use the management routes of the managing tiers.
    expect((await api.call('GET', `/api/v1/accounts/${user.account.id}`, { token: user.token })).status).toBe(200);
    const res = await api.call('GET', `/api/v1/accounts/${user.account.id}/children`, { token: user.token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('wrong_tier');
    const create = await api.call('POST', '/api/v1/accounts', {
      token: user.token,
      body: { kind: 'USER', name: 'x', username: 'sneaky-user', password: 'long-enough-password' },
    });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('wrong_tier');
  });

  it('rotates refresh tokens and revokes the whole family when a used one comes back', async () => {
    const first = await api.loginMaster();
    const second = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await api.call('GET', '/api/v1/me', { token: second.body.accessToken })).status).toBe(200);

    const replay = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('refresh_token_reused');
    // The legitimate successor dies with its family.
    const afterReuse = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
    expect(afterReuse.status).toBe(401);

    const unknown = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'tgr_nope' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_refresh_token');
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    const login = await api.loginMaster();
    const results = await Promise.all([
      api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.refreshToken } }),
      api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.refreshToken } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('logout ends the login: its refresh token no longer works', async () => {
    const login = await api.loginMaster();
    const out = await api.call('POST', '/api/v1/auth/logout', { token: login.accessToken, body: { refreshToken: login.refreshToken } });
    expect(out.status).toBe(200);
    expect(out.body.revoked).toBe(1);
    const res = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(res.status).toBe(401);
  });

  it('refuses login, tokens and refresh for anyone under a suspended ancestor, and restores them on resume', async () => {
    const agent = await api.createAndLogin(masterToken, 'AGENT', 'SuspendTop');
    const sub = await api.createAndLogin(agent.token, 'AGENT', 'SuspendSub');
    const tenant = await api.createAndLogin(sub.token, 'TENANT', 'SuspendTenant');
    const user = await api.createAndLogin(tenant.token, 'USER', 'SuspendUser');
    const { username, password } = user;

    const suspend = await api.call('PATCH', `/api/v1/accounts/${agent.account.id}`, { token: masterToken, body: { status: 'SUSPENDED' } });
    expect(suspend.status).toBe(200);
    expect(suspend.body.status).toBe('SUSPENDED');

    const login = await api.call('POST', '/api/v1/auth/login', { body: { username, password } });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('account_suspended');
    for (const token of [user.token, tenant.token, sub.token]) {
      const res = await api.call('GET', '/api/v1/me', { token });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('account_suspended');
    }
    expect((await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(403);

    const resume = await api.call('PATCH', `/api/v1/accounts/${agent.account.id}`, { token: masterToken, body: { status: 'ACTIVE' } });
    expect(resume.status).toBe(200);
    expect((await api.call('GET', '/api/v1/me', { token: user.token })).status).toBe(200);
    expect((await api.call('POST', '/api/v1/auth/login', { body: { username, password } })).status).toBe(200);
  });

  it('has no default password: the master password is the one given', async () => {
    const res = await api.call('POST', '/api/v1/auth/login', { body: { username: 'master', password: MASTER_PASSWORD } });
    expect(res.status).toBe(200);
    for (const guess of ['admin', 'master', 'password']) {
      expect((await api.call('POST', '/api/v1/auth/login', { body: { username: 'master', password: guess } })).status).toBe(401);
    }
  });
});
