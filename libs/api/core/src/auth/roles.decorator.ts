import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Tier } from '@tiergate/contracts';
import type { Actor } from './actor.js';

export const ROLES_KEY = 'tiergate:roles';
export const PUBLIC_KEY = 'tiergate:public';

/** The tiers whose tokens a route accepts. Every route carries this or @Public(). */
export const Roles = (...tiers: Tier[]) => SetMetadata(ROLES_KEY, tiers);

/** Explicitly open to anyone (login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const API_KEY_AUTH_KEY = 'tiergate:api-key-auth';

/**
 * Relay routes: authenticated by an API key (not a console JWT), inside the handler, so the
 * refusal comes back in the caller's protocol's own error shape.
 */
export const ApiKeyAuth = () => SetMetadata(API_KEY_AUTH_KEY, true);

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<{ user?: Actor }>();
  if (!request.user) throw new Error('CurrentActor used on a route without authentication');
  return request.user;
});
