import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import {
  type AccessTokenClaims,
  type Actor,
  AppConfig,
  ForbiddenError,
  TOKEN_ISSUER,
  UnauthenticatedError,
} from '@tiergate/api-core';
import type { Account } from '@tiergate/api-db';
import { type AccountView, type LoginResponse, TIER_OF_KIND, type Tier, type TokenPair } from '@tiergate/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { toAccountView } from '../accounts/account.mapper.js';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { TreeRepository } from '../tree/tree.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly accounts: AccountsRepository,
    private readonly tree: TreeRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async login(usernameRaw: string, password: string, ip: string): Promise<LoginResponse> {
    const username = usernameRaw.trim().toLowerCase();
    await this.throttle.beforeAttempt(username, ip);
    const credential = await this.accounts.findCredential(username);
    const ok = await this.hasher.verify(credential?.passwordHash ?? null, password);
    if (!credential || !ok) {
      await this.throttle.failed(username);
      throw new UnauthenticatedError('invalid_credentials', 'Wrong username or password');
    }
    await this.throttle.succeeded(username);
    await this.assertNotBlocked(credential.account.id);
    const pair = await this.issue(credential.account, randomUUID());
    const { id, kind, name } = credential.account;
    return { ...pair, account: { id, kind, name } };
  }

  async refresh(token: string): Promise<TokenPair> {
    const tokenHash = sha256(token);
    const consumed = await this.refreshTokens.consume(tokenHash);
    if (!consumed) {
      const known = await this.refreshTokens.findByHash(tokenHash);
      if (known && (known.rotatedAt || known.revokedAt)) {
        // A used token came back: it was stolen or replayed. End the whole login.
        await this.refreshTokens.revokeFamily(known.familyId);
        throw new UnauthenticatedError('refresh_token_reused', 'This refresh token was already used; log in again');
      }
      if (known) throw new UnauthenticatedError('refresh_token_expired', 'The refresh token has expired; log in again');
      throw new UnauthenticatedError('invalid_refresh_token', 'Unknown refresh token');
    }
    const account = await this.accounts.findById(consumed.accountId);
    if (!account) throw new UnauthenticatedError('invalid_refresh_token', 'Unknown refresh token');
    await this.assertNotBlocked(account.id);
    return this.issue(account, consumed.familyId);
  }

  async logout(actor: Actor, refreshToken?: string): Promise<{ revoked: number }> {
    if (refreshToken === undefined) return { revoked: await this.refreshTokens.revokeAllOf(actor.accountId) };
    const known = await this.refreshTokens.findByHash(sha256(refreshToken));
    if (!known || known.accountId !== actor.accountId) return { revoked: 0 };
    return { revoked: await this.refreshTokens.revokeFamily(known.familyId) };
  }

  async me(actor: Actor): Promise<{ account: AccountView; tier: Tier }> {
    const account = await this.accounts.findById(actor.accountId);
    if (!account) throw new UnauthenticatedError('invalid_token', 'The account no longer exists');
    return { account: toAccountView(account), tier: actor.tier };
  }

  private async assertNotBlocked(accountId: string): Promise<void> {
    if (await this.tree.isBlocked(accountId)) {
      throw new ForbiddenError('account_suspended', 'This account, or one above it, is suspended');
    }
  }

  private async issue(account: Account, familyId: string): Promise<TokenPair> {
    const tier = TIER_OF_KIND[account.kind];
    const claims: Omit<AccessTokenClaims, 'iat' | 'exp'> = {
      sub: account.id,
      aud: tier,
      kind: account.kind,
      iss: TOKEN_ISSUER,
      jti: randomUUID(),
    };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.accessTokenTtlSeconds, algorithm: 'HS256' });
    const refreshToken = `tgr_${randomBytes(32).toString('base64url')}`;
    await this.refreshTokens.insert({
      accountId: account.id,
      familyId,
      tokenHash: sha256(refreshToken),
      audience: tier,
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000),
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.config.accessTokenTtlSeconds, tier };
  }
}
