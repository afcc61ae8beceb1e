import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import {
  type GrantView,
  MintCodesDto,
  type MintedCodes,
  type Page,
  PageQueryDto,
  RedeemCodeDto,
  type RedemptionCodeView,
} from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { RedemptionService } from './redemption.service.js';

@Controller('api/v1')
export class RedemptionController {
  constructor(private readonly codes: RedemptionService) {}

  @Post('accounts/:id/redemption-codes')
  @Roles('master', 'agent', 'tenant')
  mint(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: MintCodesDto, @Req() req: FastifyRequest): Promise<MintedCodes> {
    return this.codes.mint(actor, id, dto, metaOf(req));
  }

  @Get('accounts/:id/redemption-codes')
  @Roles('master', 'agent', 'tenant')
  list(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() page: PageQueryDto): Promise<Page<RedemptionCodeView>> {
    return this.codes.list(actor, id, page.limit, page.cursor);
  }

  @Post('redeem')
  @Roles('agent', 'tenant', 'user')
  redeem(@CurrentActor() actor: Actor, @Body() dto: RedeemCodeDto, @Req() req: FastifyRequest): Promise<GrantView> {
    return this.codes.redeem(actor, dto.code, metaOf(req));
  }
}
