import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** Filters of the audit log (master only), newest first, paged by `cursor`. */
export class AuditQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @IsOptional()
  @IsUUID('all', { message: 'actorId must be an account id' })
  actorId?: string;

  @IsOptional()
  @IsUUID('all', { message: 'targetId must be an account or object id' })
  targetId?: string;

  @IsOptional()
  @Matches(/^[1-9]\d{0,18}$/, { message: 'cursor is not one this endpoint returned' })
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export interface AuditEntryView {
  id: string;
  actorId: string | null;
  action: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
  createdAt: string;
}
