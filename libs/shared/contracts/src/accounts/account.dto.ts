import {
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ACCOUNT_KINDS, ACCOUNT_STATUSES, type AccountKindName, type AccountStatusName } from '../common/tiers.js';

export const USERNAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._@-]{2,63}$/;

export class CreateAccountDto {
  @IsIn(ACCOUNT_KINDS.filter((k) => k !== 'MASTER'), { message: 'kind must be one of AGENT, TENANT, USER' })
  kind!: Exclude<AccountKindName, 'MASTER'>;

  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @IsString()
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 3-64 characters of letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
  })
  username!: string;

  @IsString()
  @MinLength(10)
  @MaxLength(200)
  password!: string;

  /** Defaults to the caller's own account. */
  @IsOptional()
  @IsUUID('all')
  parentId?: string;
}

export class UpdateAccountDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name?: string;

  @IsOptional()
  @IsIn(ACCOUNT_STATUSES)
  status?: AccountStatusName;
}

export class MoveAccountDto {
  @IsUUID('all')
  parentId!: string;
}

export interface AccountView {
  id: string;
  kind: AccountKindName;
  name: string;
  parentId: string | null;
  status: AccountStatusName;
  createdAt: string;
}
