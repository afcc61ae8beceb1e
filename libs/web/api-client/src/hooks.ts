import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  AccountView,
  AuditEntryView,
  ApiKeyView,
  CatalogEntryView,
  ChannelEventView,
  ChannelKeyView,
  ChannelView,
  CreatedApiKey,
  EffectivePriceView,
  GrantView,
  LoginResponse,
  MintedCodes,
  ModelPriceView,
  Page,
  PriceListView,
  QuotaView,
  RedemptionCodeView,
  RequestLogEntryView,
  Tier,
  UsageGroup,
  UsageReportView,
} from '@tiergate/contracts';
import { useHttp } from './api-context.js';
import { queryKeys } from './query-keys.js';
import { listRelayModels } from './relay.js';

const enc = encodeURIComponent;

export interface MeView {
  account: AccountView;
  tier: Tier;
}

// ---- auth -------------------------------------------------------------------------------

/** Who the session is; keyed by its account so another login never shows the previous one. */
export function useMe(accountId: string | undefined) {
  const http = useHttp();
  return useQuery({ queryKey: queryKeys.me(accountId ?? ''), queryFn: () => http.request<MeView>('GET', '/api/v1/me'), enabled: !!accountId });
}

/** Logs in; the caller decides whether the tier fits its console before adopting the session. */
export function useLogin() {
  const http = useHttp();
  return useMutation({ mutationFn: (v: { username: string; password: string }) => http.login(v.username, v.password) });
}

export function useLogout() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => http.logout(),
    onSettled: () => qc.clear(),
  });
}

export type { LoginResponse };

// ---- accounts ---------------------------------------------------------------------------

export function useAccount(id: string | undefined) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.account(id ?? ''),
    queryFn: () => http.request<AccountView>('GET', `/api/v1/accounts/${enc(id!)}`),
    enabled: !!id,
  });
}

export function useChildren(id: string | undefined, cursor?: string | null, limit = 20) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.children(id ?? '', cursor, limit),
    queryFn: () => http.request<Page<AccountView>>('GET', `/api/v1/accounts/${enc(id!)}/children`, { query: { cursor, limit } }),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

export interface CreateAccountInput {
  kind: 'AGENT' | 'TENANT' | 'USER';
  name: string;
  username: string;
  password: string;
  parentId?: string;
}

export function useCreateAccount() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateAccountInput) => http.request<AccountView>('POST', '/api/v1/accounts', { body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.accounts }),
  });
}

export function useUpdateAccount() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; name?: string; status?: 'ACTIVE' | 'SUSPENDED' }) =>
      http.request<AccountView>('PATCH', `/api/v1/accounts/${enc(v.id)}`, { body: { name: v.name, status: v.status } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.accounts }),
  });
}

export function useMoveAccount() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; parentId: string }) => http.request<AccountView>('POST', `/api/v1/accounts/${enc(v.id)}/move`, { body: { parentId: v.parentId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.accounts }),
  });
}

// ---- quota, grants, settings, codes -----------------------------------------------------

export function useQuota(id: string | undefined, refetchInterval?: number) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.quota(id ?? ''),
    queryFn: () => http.request<QuotaView>('GET', `/api/v1/accounts/${enc(id!)}/quota`),
    enabled: !!id,
    refetchInterval,
  });
}

export function useGrants(id: string | undefined, cursor?: string | null) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.grants(id ?? '', cursor),
    queryFn: () => http.request<Page<GrantView>>('GET', `/api/v1/accounts/${enc(id!)}/grants`, { query: { cursor, limit: 20 } }),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

export function useGrant() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; delta: string; note?: string }) =>
      http.request<GrantView>('POST', `/api/v1/accounts/${enc(v.id)}/grants`, { body: { delta: v.delta, note: v.note || undefined } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.accounts }),
  });
}

export function useSetOversell() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; oversell: boolean }) => http.request('PUT', `/api/v1/accounts/${enc(v.id)}/settings`, { body: { oversell: v.oversell } }),
    onSuccess: (_d, v) => qc.invalidateQueries({ queryKey: queryKeys.quota(v.id) }),
  });
}

export function useRedemptionCodes(id: string | undefined, cursor?: string | null) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.codes(id ?? '', cursor),
    queryFn: () => http.request<Page<RedemptionCodeView>>('GET', `/api/v1/accounts/${enc(id!)}/redemption-codes`, { query: { cursor, limit: 20 } }),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

export function useMintCodes() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; value: string; count: number; expiresAt?: string }) =>
      http.request<MintedCodes>('POST', `/api/v1/accounts/${enc(v.id)}/redemption-codes`, { body: { value: v.value, count: v.count, expiresAt: v.expiresAt } }),
    onSuccess: (_d, v) => qc.invalidateQueries({ queryKey: ['account', v.id, 'codes'] }),
  });
}

export function useRedeem() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { code: string }) => http.request<GrantView>('POST', '/api/v1/redeem', { body: { code: v.code } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.accounts }),
  });
}

// ---- pricing ----------------------------------------------------------------------------

export function useCatalog() {
  const http = useHttp();
  return useQuery({ queryKey: queryKeys.catalog, queryFn: () => http.request<CatalogEntryView[]>('GET', '/api/v1/catalog/models') });
}

export interface ModelPriceInput {
  inputPer1M: string;
  outputPer1M: string;
  cachedInputPer1M?: string;
}

export function usePutCatalogModel() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { model: string } & ModelPriceInput) => {
      const { model, ...price } = v;
      return http.request<CatalogEntryView>('PUT', `/api/v1/catalog/models/${enc(model)}`, { body: price });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.catalog }),
  });
}

export function useDeleteCatalogModel() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (model: string) => http.request<void>('DELETE', `/api/v1/catalog/models/${enc(model)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.catalog }),
  });
}

export function usePriceList(id: string | undefined) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.priceList(id ?? ''),
    queryFn: () => http.request<PriceListView>('GET', `/api/v1/accounts/${enc(id!)}/price-list`),
    enabled: !!id,
  });
}

export function usePutPriceList() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; markupBps: number; overrides?: Record<string, ModelPriceInput> }) =>
      http.request<PriceListView>('PUT', `/api/v1/accounts/${enc(v.id)}/price-list`, { body: { markupBps: v.markupBps, overrides: v.overrides } }),
    onSuccess: (_d, v) => {
      void qc.invalidateQueries({ queryKey: queryKeys.priceList(v.id) });
      void qc.invalidateQueries({ queryKey: queryKeys.prices(v.id) });
    },
  });
}

export function useEffectivePrices(id: string | undefined) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.prices(id ?? ''),
    queryFn: () => http.request<EffectivePriceView[]>('GET', `/api/v1/accounts/${enc(id!)}/prices`),
    enabled: !!id,
  });
}

export type { ModelPriceView };

// ---- API keys ---------------------------------------------------------------------------

export function useApiKeys(id: string | undefined, cursor?: string | null) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.apiKeys(id ?? '', cursor),
    queryFn: () => http.request<Page<ApiKeyView>>('GET', `/api/v1/accounts/${enc(id!)}/api-keys`, { query: { cursor, limit: 20 } }),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

export function useCreateApiKey() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; name: string; models?: string[]; expiresAt?: string }) =>
      http.request<CreatedApiKey>('POST', `/api/v1/accounts/${enc(v.id)}/api-keys`, { body: { name: v.name, models: v.models, expiresAt: v.expiresAt } }),
    onSuccess: (_d, v) => qc.invalidateQueries({ queryKey: ['account', v.id, 'api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; keyId: string }) => http.request<void>('DELETE', `/api/v1/accounts/${enc(v.id)}/api-keys/${enc(v.keyId)}`),
    onSuccess: (_d, v) => qc.invalidateQueries({ queryKey: ['account', v.id, 'api-keys'] }),
  });
}

// ---- channels (master) ------------------------------------------------------------------

export function useChannels(cursor?: string | null) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.channels(cursor),
    queryFn: () => http.request<Page<ChannelView>>('GET', '/api/v1/channels', { query: { cursor, limit: 20 } }),
    placeholderData: keepPreviousData,
  });
}

export interface CreateChannelInput {
  name: string;
  provider: string;
  baseUrl: string;
  keys: string[];
  models: string[];
  modelMapping?: Record<string, string>;
  priority?: number;
  weight?: number;
}

export function useCreateChannel() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateChannelInput) => http.request<ChannelView>('POST', '/api/v1/channels', { body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['channels'] }),
  });
}

export function useUpdateChannel() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; status?: string; priority?: number; weight?: number; models?: string[] }) => {
      const { id, ...body } = v;
      return http.request<ChannelView>('PATCH', `/api/v1/channels/${enc(id)}`, { body });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['channels'] }),
  });
}

export function useAddChannelKey() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; key: string }) => http.request<ChannelKeyView>('POST', `/api/v1/channels/${enc(v.id)}/keys`, { body: { key: v.key } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['channels'] }),
  });
}

export function useChannelEvents(id: string | undefined, cursor?: string | null) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.channelEvents(id ?? '', cursor),
    queryFn: () => http.request<Page<ChannelEventView>>('GET', `/api/v1/channels/${enc(id!)}/events`, { query: { cursor, limit: 20 } }),
    enabled: !!id,
  });
}

// ---- relay ------------------------------------------------------------------------------

export function useRelayModels(apiKey: string | undefined) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.relayModels(apiKey ?? ''),
    queryFn: () => listRelayModels(apiKey!, http.baseUrlForRelay),
    enabled: !!apiKey,
  });
}

/** For lazily loaded trees: fetches (and caches) the first 200 children of an account. */
export function useChildrenLoader() {
  const http = useHttp();
  const qc = useQueryClient();
  return (id: string) =>
    qc.fetchQuery({
      queryKey: queryKeys.children(id, null, 200),
      queryFn: () => http.request<Page<AccountView>>('GET', `/api/v1/accounts/${enc(id)}/children`, { query: { limit: 200 } }),
    });
}

// ---- usage reports ----------------------------------------------------------------------

export interface UsageFilter {
  from?: string;
  to?: string;
  groupBy?: UsageGroup;
}

export function useUsage(id: string | undefined, filter: UsageFilter) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.usage(id ?? '', filter),
    queryFn: () => http.request<UsageReportView>('GET', `/api/v1/accounts/${enc(id!)}/usage`, { query: { ...filter } }),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

export interface RequestLogFilter {
  from?: string;
  to?: string;
  model?: string;
  keyId?: string;
  status?: string;
}

export function useRequestLog(id: string | undefined, filter: RequestLogFilter, cursor?: string | null) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.requestLog(id ?? '', filter, cursor),
    queryFn: () => http.request<Page<RequestLogEntryView>>('GET', `/api/v1/accounts/${enc(id!)}/requests`, { query: { ...filter, cursor, limit: 20 } }),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

/** Fetches a CSV export with the session (and its refresh) and hands the text over. */
export function useCsvExport() {
  const http = useHttp();
  return useMutation({
    mutationFn: async (v: { id: string; what: 'usage' | 'requests'; filter: UsageFilter | RequestLogFilter }) => {
      const res = await http.send('GET', `/api/v1/accounts/${enc(v.id)}/${v.what}/export`, { query: { ...v.filter } });
      return res.text();
    },
  });
}

// ---- audit (master) ---------------------------------------------------------------------

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetId?: string;
}

export function useAuditLog(filter: AuditFilter, cursor?: string | null) {
  const http = useHttp();
  return useQuery({
    queryKey: queryKeys.audit(filter, cursor),
    queryFn: () => http.request<Page<AuditEntryView>>('GET', '/api/v1/audit', { query: { ...filter, cursor, limit: 20 } }),
    placeholderData: keepPreviousData,
  });
}

// ---- quota rules (set by the parent) ----------------------------------------------------

export interface QuotaRuleInput {
  unit: 'CREDITS' | 'REQUESTS' | 'TOKENS';
  window: { kind: 'LIFETIME' | 'CALENDAR' | 'FIXED_INTERVAL'; period?: 'DAY' | 'WEEK' | 'MONTH'; timezone?: string; hours?: number; anchor?: string };
  limit: string | null;
}

export function useAddQuotaRule() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; rule: QuotaRuleInput }) => http.request('POST', `/api/v1/accounts/${enc(v.id)}/quota/rules`, { body: v.rule }),
    onSuccess: (_d, v) => qc.invalidateQueries({ queryKey: queryKeys.quota(v.id) }),
  });
}

export function useDeleteQuotaRule() {
  const http = useHttp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; ruleId: string }) => http.request<void>('DELETE', `/api/v1/accounts/${enc(v.id)}/quota/rules/${enc(v.ruleId)}`),
    onSuccess: (_d, v) => qc.invalidateQueries({ queryKey: queryKeys.quota(v.id) }),
  });
}
