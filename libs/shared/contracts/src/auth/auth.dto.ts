import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { AccountKindName, Tier } from '../common/tiers.js';

export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  password!: string;
}

export class RefreshDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken!: string;
}

export class LogoutDto {
  /** Ends this one login; without it every login of the caller ends. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  tier: Tier;
}

export interface LoginResponse extends TokenPair {
  account: { id: string; kind: AccountKindName; name: string };
}
