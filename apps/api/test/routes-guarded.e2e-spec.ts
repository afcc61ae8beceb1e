import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { listRoutes, type RouteInfo } from './support/routes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Deny by default, proven: every route says who may call it, and the closed ones refuse strangers. */
describe('every route is guarded or explicitly public', () => {
  let t: TestApp;
  let routes: RouteInfo[];

  beforeAll(async () => {
    t = await startTestApp();
    routes = listRoutes(t.app);
  });
  afterAll(() => t?.close());

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/auth/login');
  });

  it('has @Roles(...), @ApiKeyAuth() or @Public() on each', () => {
    const bare = routes.filter((r) => !r.isPublic && !r.apiKeyAuth && (!r.roles || r.roles.length === 0));
    expect(bare.map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)).toEqual([]);
  });

  it('keeps the public list short and known', () => {
    expect(routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      ['GET /health', 'GET /ready', 'POST /api/v1/auth/login', 'POST /api/v1/auth/refresh'].sort(),
    );
  });

  it('answers 401 without an API key on every relay route', async () => {
    const api = new Api(t.baseUrl);
    for (const route of routes.filter((r) => r.apiKeyAuth)) {
      const path = route.path.replace(/\{\w+\}/g, 'm');
      const res = await api.call(route.method, path, { body: route.method === 'GET' ? undefined : { model: 'm', messages: [] } });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  it('answers 401 without a token on every guarded route', async () => {
    const api = new Api(t.baseUrl);
    const id = '00000000-0000-4000-8000-000000000000';
    for (const route of routes.filter((r) => !r.isPublic && !r.apiKeyAuth)) {
      const path = route.path.replace(/\{\w+\}/g, id);
      const res = await api.call(route.method, path, { body: ['GET', 'DELETE'].includes(route.method) ? undefined : {} });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
    }
  });
});
