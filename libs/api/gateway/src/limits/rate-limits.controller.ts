import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import { RateLimitsDto, type RateLimitsView } from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { RateLimitsService } from './rate-limits.service.js';

/** Requests and tokens per minute for an account's subtree (the relay enforces them). */
@Controller('api/v1/accounts/:id/rate-limits')
export class RateLimitsController {
  constructor(private readonly limits: RateLimitsService) {}

  @Get()
  @Roles('master', 'agent', 'tenant', 'user')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<RateLimitsView> {
    return this.limits.get(actor, id);
  }

  @Put()
  @Roles('master', 'agent', 'tenant')
  set(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: RateLimitsDto, @Req() req: FastifyRequest): Promise<RateLimitsView> {
    return this.limits.set(actor, id, dto, metaOf(req));
  }
}
