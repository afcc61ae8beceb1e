import type { AccountKindName, Tier } from '@tiergate/contracts';

/** Who is calling: the account behind a verified access token. */
export interface Actor {
  accountId: string;
  kind: AccountKindName;
  tier: Tier;
}

/** Claims of an access token; `aud` is the tier, so one tier's token is refused by another's routes. */
export interface AccessTokenClaims {
  sub: string;
  aud: Tier;
  kind: AccountKindName;
  iss: string;
  iat: number;
  exp: number;
  jti: string;
}

export const TOKEN_ISSUER = 'tiergate';

/**
 * Decides, on every authenticated call, whether the actor may still act: a suspended
 * account — or one under a suspended ancestor — may not. Implemented by the accounts lib.
 */
export abstract class ActorGate {
  abstract assertActive(accountId: string): Promise<void>;
}
