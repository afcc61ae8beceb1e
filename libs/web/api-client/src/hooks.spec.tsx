import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReactNode } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from './api-context.js';
import { useCreateAccount, useQuota } from './hooks.js';
import { HttpClient } from './http-client.js';
import { memorySessionStore } from './session.js';

/** Serves a quota that grows with each created account, so invalidation is visible. */
describe('query hooks', () => {
  let server: Server;
  let url = '';
  const seen: string[] = [];
  let children = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization, content-type, accept', 'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE' };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, cors);
        return res.end();
      }
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { ...cors, 'content-type': 'application/json' });
      if (req.method === 'POST') {
        children += 1;
        return res.end(JSON.stringify({ id: `c${children}`, kind: 'TENANT', name: 'T', parentId: 'a1', status: 'ACTIVE', createdAt: '2026-01-01T00:00:00Z' }));
      }
      res.end(JSON.stringify({ accountId: 'a1', oversell: false, rules: [{ id: 'r', unit: 'CREDITS', window: { kind: 'LIFETIME' }, limit: '100', used: String(children), resetsAt: null, main: true }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const wrapper = () => {
    const http = new HttpClient({ baseUrl: url, store: memorySessionStore({ accessToken: 'at', refreshToken: 'rt', tier: 'agent', account: { id: 'a1', kind: 'AGENT', name: 'A' } }) });
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return ({ children: c }: { children: ReactNode }) => (
      <ApiProvider client={http} queryClient={qc}>
        {c}
      </ApiProvider>
    );
  };

  it('useQuota fetches the account quota with the session token', async () => {
    const { result } = renderHook(() => useQuota('a1'), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data?.rules[0]).toMatchObject({ limit: '100', used: '0', main: true });
    expect(seen).toContain('GET /api/v1/accounts/a1/quota Bearer at');
  });

  it('useQuota stays idle without an account id', () => {
    const { result } = renderHook(() => useQuota(undefined), { wrapper: wrapper() });
    expect(result.current.fetchStatus).toBe('idle');
  });

  it('creating an account refetches the account queries', async () => {
    const { result } = renderHook(() => ({ quota: useQuota('a1'), create: useCreateAccount() }), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.quota.data).toBeDefined());
    const before = result.current.quota.data!.rules[0]!.used;
    await act(() => result.current.create.mutateAsync({ kind: 'TENANT', name: 'T', username: 'tenant-1', password: 'long-enough-1' }));
    await waitFor(() => expect(result.current.quota.data!.rules[0]!.used).toBe(String(Number(before) + 1)));
    expect(seen.some((s) => s.startsWith('POST /api/v1/accounts Bearer at'))).toBe(true);
  });
});
