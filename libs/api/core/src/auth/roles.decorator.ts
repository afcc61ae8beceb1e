import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Tier } from '@tiergate/contracts';
import type { Actor } from './actor.js';

export const ROLES_KEY = 'tiergate:roles';
export const PUBLIC_KEY = 'tiergate:public';

/** The tiers whose tokens a route accepts. Every route carries this or @Public(). */
export const Roles = (...tiers: Tier[]) => SetMetadata(ROLES_KEY, tiers);

/** Explicitly open to anyone (login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<{ user?: Actor }>();
  if (!request.user) throw new Error('CurrentActor used on a route without authentication');
  return request.user;
});
