import type { LoginResponse, TokenPair } from '@tiergate/contracts';
import { ApiError } from './api-error.js';
import type { Session, SessionStore } from './session.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  /** Origin of the API; '' means the page's own origin. */
  baseUrl?: string;
  store: SessionStore;
  fetch?: FetchLike;
  /** Called once when the session is gone for good (refresh refused): the console shows its login. */
  onSessionEnded?: () => void;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Skip the bearer token (login, refresh). */
  anonymous?: boolean;
  /** Use this access token instead of the session's. */
  bearer?: string;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * The one fetch wrapper of the consoles. It sends the access token; on a 401 it rotates the
 * refresh token once (concurrent 401s share that one refresh, since a refresh token is single
 * use) and retries the request once; if the refresh is refused the session ends.
 */
export class HttpClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private refreshing: Promise<boolean> | null = null;

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The relay shares the API's origin. */
  get baseUrlForRelay(): string {
    return this.baseUrl;
  }

  get session(): Session | null {
    return this.options.store.get();
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const res = await this.request<LoginResponse>('POST', '/api/v1/auth/login', { body: { username, password }, anonymous: true });
    return res;
  }

  /** Keeps a login as this console's session. */
  adopt(login: LoginResponse): Session {
    const session: Session = { accessToken: login.accessToken, refreshToken: login.refreshToken, tier: login.tier, account: login.account };
    this.options.store.set(session);
    return session;
  }

  /** Ends a login this console will not keep (e.g. an account of another tier). */
  async discard(login: LoginResponse): Promise<void> {
    await this.request('POST', '/api/v1/auth/logout', { body: { refreshToken: login.refreshToken }, bearer: login.accessToken }).catch(() => undefined);
  }

  async logout(): Promise<void> {
    const session = this.session;
    if (session) {
      await this.request('POST', '/api/v1/auth/logout', { body: { refreshToken: session.refreshToken } }).catch(() => undefined);
    }
    this.options.store.set(null);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The raw response (for CSV and streams), after the same auth and refresh handling. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const first = await this.attempt(method, path, options);
    if (first.status !== 401 || options.anonymous || options.bearer || !this.session) {
      if (!first.ok) throw await ApiError.from(first);
      return first;
    }
    const token = this.session.accessToken;
    if (!(await this.refresh(token))) {
      this.endSession();
      throw await ApiError.from(first);
    }
    const second = await this.attempt(method, path, options);
    if (second.status === 401) this.endSession();
    if (!second.ok) throw await ApiError.from(second);
    return second;
  }

  private attempt(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const session = this.session;
    const token = options.bearer ?? (options.anonymous ? undefined : session?.accessToken);
    if (token) headers.authorization = `Bearer ${token}`;
    return this.fetchImpl(this.baseUrl + withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  }

  /** Rotates once per expired token: a caller that lost the race reuses the winner's result. */
  private refresh(expiredToken: string): Promise<boolean> {
    const session = this.session;
    if (!session) return Promise.resolve(false);
    if (session.accessToken !== expiredToken) return Promise.resolve(true);
    this.refreshing ??= (async () => {
      try {
        const res = await this.attempt('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken }, anonymous: true });
        if (!res.ok) return false;
        const pair = (await res.json()) as TokenPair;
        this.options.store.set({ ...session, accessToken: pair.accessToken, refreshToken: pair.refreshToken });
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private endSession(): void {
    if (!this.session) return;
    this.options.store.set(null);
    this.options.onSessionEnded?.();
  }
}
