// @vitest-environment node
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { HttpClient } from './http-client.js';
import { memorySessionStore, type Session } from './session.js';

/**
 * A small HTTP server with the API's auth semantics: access tokens that the test can expire,
 * single-use refresh tokens rotated on every refresh, and a counter of every call.
 */
class AuthServer {
  server!: Server;
  url = '';
  valid = new Set<string>();
  refreshTokens = new Set<string>();
  calls: string[] = [];
  refreshRefused = false;
  private n = 0;

  issue(): { accessToken: string; refreshToken: string } {
    this.n += 1;
    const pair = { accessToken: `at-${this.n}`, refreshToken: `rt-${this.n}` };
    this.valid.add(pair.accessToken);
    this.refreshTokens.add(pair.refreshToken);
    return pair;
  }

  async start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    for await (const chunk of req) body += chunk;
    const auth = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    this.calls.push(`${req.method} ${req.url} ${auth}`);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.url === '/api/v1/auth/refresh') {
      await new Promise((r) => setTimeout(r, 20)); // lets concurrent callers pile up behind one refresh
      const { refreshToken } = JSON.parse(body) as { refreshToken: string };
      if (this.refreshRefused || !this.refreshTokens.delete(refreshToken)) {
        return send(401, { error: { code: 'invalid_refresh_token', message: 'Refresh token is not valid', id: 'r1' } });
      }
      return send(200, { ...this.issue(), tokenType: 'Bearer', expiresIn: 900, tier: 'agent' });
    }
    if (!this.valid.has(auth)) return send(401, { error: { code: 'invalid_token', message: 'Token expired', id: 'x1' } });
    if (req.url === '/api/v1/boom') return send(409, { error: { code: 'conflict', message: 'It clashed', id: 'b1' } });
    return send(200, { ok: true, path: req.url });
  }
}

describe('HttpClient', () => {
  const api = new AuthServer();
  let session: Session;
  let ended = 0;

  beforeAll(() => api.start());
  afterAll(() => new Promise<void>((r) => api.server.close(() => r())));
  beforeEach(() => {
    api.calls = [];
    api.refreshRefused = false;
    ended = 0;
    session = { ...api.issue(), tier: 'agent', account: { id: 'a1', kind: 'AGENT', name: 'A' } };
  });

  const client = (s: Session | null = session) => {
    const store = memorySessionStore(s);
    return { store, http: new HttpClient({ baseUrl: api.url, store, onSessionEnded: () => void (ended += 1) }) };
  };

  it('sends the access token and returns the parsed body', async () => {
    const { http } = client();
    await expect(http.request('GET', '/api/v1/me')).resolves.toEqual({ ok: true, path: '/api/v1/me' });
    expect(api.calls).toEqual([`GET /api/v1/me ${session.accessToken}`]);
  });

  it('on a 401 rotates the refresh token once and retries the request once', async () => {
    const { http, store } = client();
    api.valid.delete(session.accessToken);
    await expect(http.request('GET', '/api/v1/me')).resolves.toMatchObject({ ok: true });
    const fresh = store.get()!;
    expect(fresh.accessToken).not.toBe(session.accessToken);
    expect(fresh.refreshToken).not.toBe(session.refreshToken);
    expect(fresh.account).toEqual(session.account);
    expect(api.calls).toEqual([
      `GET /api/v1/me ${session.accessToken}`,
      'POST /api/v1/auth/refresh ',
      `GET /api/v1/me ${fresh.accessToken}`,
    ]);
    expect(ended).toBe(0);
  });

  it('shares one refresh among concurrent requests (refresh tokens are single use)', async () => {
    const { http } = client();
    api.valid.delete(session.accessToken);
    const results = await Promise.all([1, 2, 3].map((i) => http.request('GET', `/api/v1/x${i}`)));
    expect(results.map((r) => (r as { path: string }).path)).toEqual(['/api/v1/x1', '/api/v1/x2', '/api/v1/x3']);
    expect(api.calls.filter((c) => c.startsWith('POST /api/v1/auth/refresh'))).toHaveLength(1);
    expect(ended).toBe(0);
  });

  it('ends the session when the refresh is refused, and does not retry', async () => {
    const { http, store } = client();
    api.valid.delete(session.accessToken);
    api.refreshRefused = true;
    const err = await http.request('GET', '/api/v1/me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(store.get()).toBeNull();
    expect(ended).toBe(1);
    expect(api.calls).toHaveLength(2);
  });

  it('retries only once: a second 401 after a good refresh ends the session', async () => {
    const { http, store } = client();
    api.valid.delete(session.accessToken);
    // The refreshed token is revoked before it can be used.
    const origIssue = api.issue.bind(api);
    api.issue = () => {
      const pair = origIssue();
      api.valid.delete(pair.accessToken);
      return pair;
    };
    try {
      await expect(http.request('GET', '/api/v1/me')).rejects.toMatchObject({ status: 401 });
    } finally {
      api.issue = origIssue;
    }
    expect(api.calls.filter((c) => c.startsWith('GET'))).toHaveLength(2);
    expect(store.get()).toBeNull();
    expect(ended).toBe(1);
  });

  it("turns the API's error body into an ApiError with code, message and request id", async () => {
    const { http } = client();
    await expect(http.request('POST', '/api/v1/boom', { body: {} })).rejects.toMatchObject({ status: 409, code: 'conflict', message: 'It clashed', requestId: 'b1' });
  });

  it('sends anonymous calls without a token and never refreshes for them', async () => {
    const { http } = client(null);
    await expect(http.request('GET', '/api/v1/me')).rejects.toMatchObject({ status: 401 });
    expect(api.calls).toEqual(['GET /api/v1/me ']);
    expect(ended).toBe(0);
  });

  it('logout revokes this login and forgets the session', async () => {
    const { http, store } = client();
    await http.logout();
    expect(api.calls[0]).toBe(`POST /api/v1/auth/logout ${session.accessToken}`);
    expect(store.get()).toBeNull();
  });
});
