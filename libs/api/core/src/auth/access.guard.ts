import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Tier } from '@tiergate/contracts';
import { DomainError, ForbiddenError, UnauthenticatedError } from '../errors/domain.error.js';
import type { Actor } from './actor.js';
import { API_KEY_AUTH_KEY, PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';

/**
 * The global guard. Deny by default: a route without @Roles or @Public is refused even
 * with a valid token (and a test fails on any such route).
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    // The relay authenticates the API key itself (and answers in the provider's error shape).
    if (this.reflector.getAllAndOverride<boolean>(API_KEY_AUTH_KEY, targets)) return true;
    const tiers = this.reflector.getAllAndOverride<Tier[] | undefined>(ROLES_KEY, targets);
    if (!tiers || tiers.length === 0) throw new ForbiddenError('route_not_guarded', 'This route is closed');
    await super.canActivate(context);
    const actor = context.switchToHttp().getRequest<{ user: Actor }>().user;
    if (!tiers.includes(actor.tier)) {
      throw new ForbiddenError(
        'wrong_tier',
        `This API is for ${tiers.join(', ')} accounts; the token belongs to the ${actor.tier} tier`,
      );
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err instanceof DomainError) throw err;
    if (err) throw err;
    if (user) return user;
    const reason = info instanceof Error ? info : undefined;
    if (reason?.name === 'TokenExpiredError') throw new UnauthenticatedError('token_expired', 'The access token has expired; refresh it');
    if (reason?.message === 'No auth token') throw new UnauthenticatedError('missing_token', 'Send Authorization: Bearer <accessToken>');
    throw new UnauthenticatedError('invalid_token', 'Invalid access token');
  }
}
