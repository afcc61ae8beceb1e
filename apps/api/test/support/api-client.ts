import type { AccountView, LoginResponse } from '@tiergate/contracts';
import { MASTER_PASSWORD } from './test-app.js';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin HTTP client for the e2e specs: real requests over the socket. */
export class Api {
  constructor(readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const res = await this.call<LoginResponse>('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  loginMaster(): Promise<LoginResponse> {
    return this.login('master', MASTER_PASSWORD);
  }

  /** Creates an account (under parentId, or the caller) and logs it in. */
  async createAndLogin(
    token: string,
    kind: 'AGENT' | 'TENANT' | 'USER',
    name: string,
    parentId?: string,
  ): Promise<{ account: AccountView; token: string; refreshToken: string; username: string; password: string }> {
    const username = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}-${Math.random().toString(36).slice(2, 8)}`;
    const password = `pw-${username}-secret`;
    const res = await this.call<AccountView>('POST', '/api/v1/accounts', { token, body: { kind, name, username, password, parentId } });
    if (res.status !== 201) throw new Error(`create ${kind} ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
    const login = await this.login(username, password);
    return { account: res.body, token: login.accessToken, refreshToken: login.refreshToken, username, password };
  }
}
