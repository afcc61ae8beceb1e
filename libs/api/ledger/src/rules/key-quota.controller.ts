import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import { CreateQuotaRuleDto, type KeyQuotaView, type QuotaRuleView, UpdateQuotaRuleDto } from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { KeyQuotaService } from './key-quota.service.js';

/** An API key's own quota rules; the access rule lets through the key's owner and its parent. */
@Controller('api/v1/accounts/:id/api-keys/:keyId/quota')
export class KeyQuotaController {
  constructor(private readonly quota: KeyQuotaService) {}

  @Get()
  @Roles('master', 'agent', 'tenant', 'user')
  view(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('keyId') keyId: string): Promise<KeyQuotaView> {
    return this.quota.view(actor, id, keyId);
  }

  @Post('rules')
  @Roles('master', 'agent', 'tenant', 'user')
  add(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('keyId') keyId: string, @Body() dto: CreateQuotaRuleDto, @Req() req: FastifyRequest): Promise<QuotaRuleView> {
    return this.quota.addRule(actor, id, keyId, dto, metaOf(req));
  }

  @Patch('rules/:ruleId')
  @Roles('master', 'agent', 'tenant', 'user')
  update(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('keyId') keyId: string,
    @Param('ruleId') ruleId: string,
    @Body() dto: UpdateQuotaRuleDto,
    @Req() req: FastifyRequest,
  ): Promise<QuotaRuleView> {
    return this.quota.updateRule(actor, id, keyId, ruleId, dto, metaOf(req));
  }

  @Delete('rules/:ruleId')
  @HttpCode(204)
  @Roles('master', 'agent', 'tenant', 'user')
  remove(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('keyId') keyId: string, @Param('ruleId') ruleId: string, @Req() req: FastifyRequest): Promise<void> {
    return this.quota.deleteRule(actor, id, keyId, ruleId, metaOf(req));
  }
}
