import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { TIERS, TIER_OF_KIND } from '@tiergate/contracts';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import { UnauthenticatedError } from '../errors/domain.error.js';
import { ActorGate, TOKEN_ISSUER, type AccessTokenClaims, type Actor } from './actor.js';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly gate: ActorGate,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: [...TIERS],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Actor> {
    // The audience must be the tier of the kind the token names; anything else was not minted by us.
    if (TIER_OF_KIND[claims.kind] !== claims.aud) throw new UnauthenticatedError('invalid_token', 'Invalid access token');
    await this.gate.assertActive(claims.sub);
    return { accountId: claims.sub, kind: claims.kind, tier: claims.aud };
  }
}
