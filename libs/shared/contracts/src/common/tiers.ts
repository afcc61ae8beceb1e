/** Account kinds of the reseller tree (DESIGN §1). */
export const ACCOUNT_KINDS = ['MASTER', 'AGENT', 'TENANT', 'USER'] as const;
export type AccountKindName = (typeof ACCOUNT_KINDS)[number];

export const ACCOUNT_STATUSES = ['ACTIVE', 'SUSPENDED'] as const;
export type AccountStatusName = (typeof ACCOUNT_STATUSES)[number];

/** Each kind logs into its own tier; a token's audience is its tier. */
export const TIERS = ['master', 'agent', 'tenant', 'user'] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_OF_KIND: Readonly<Record<AccountKindName, Tier>> = {
  MASTER: 'master',
  AGENT: 'agent',
  TENANT: 'tenant',
  USER: 'user',
};

/** Which kinds may be created under a parent of a given kind. */
export const CHILD_KINDS_OF: Readonly<Record<AccountKindName, readonly AccountKindName[]>> = {
  MASTER: ['AGENT', 'TENANT'],
  AGENT: ['AGENT', 'TENANT'],
  TENANT: ['USER'],
  USER: [],
};

/** Tiers that manage accounts below them. */
export const MANAGING_TIERS: readonly Tier[] = ['master', 'agent', 'tenant'];
