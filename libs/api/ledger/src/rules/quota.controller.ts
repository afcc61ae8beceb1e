import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import {
  AccountSettingsDto,
  CreateQuotaRuleDto,
  GrantDto,
  type GrantView,
  type Page,
  PageQueryDto,
  type QuotaRuleView,
  type QuotaView,
  UpdateQuotaRuleDto,
} from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { GrantsService } from '../grants/grants.service.js';
import { QuotaService } from './quota.service.js';

@Controller('api/v1/accounts/:id')
export class QuotaController {
  constructor(
    private readonly quota: QuotaService,
    private readonly grants: GrantsService,
  ) {}

  @Get('quota')
  @Roles('master', 'agent', 'tenant', 'user')
  view(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<QuotaView> {
    return this.quota.view(actor, id);
  }

  @Post('quota/rules')
  @Roles('master', 'agent', 'tenant')
  addRule(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: CreateQuotaRuleDto, @Req() req: FastifyRequest): Promise<QuotaRuleView> {
    return this.quota.addRule(actor, id, dto, metaOf(req));
  }

  @Patch('quota/rules/:ruleId')
  @Roles('master', 'agent', 'tenant')
  updateRule(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('ruleId') ruleId: string,
    @Body() dto: UpdateQuotaRuleDto,
    @Req() req: FastifyRequest,
  ): Promise<QuotaRuleView> {
    return this.quota.updateRule(actor, id, ruleId, dto, metaOf(req));
  }

  @Delete('quota/rules/:ruleId')
  @HttpCode(204)
  @Roles('master', 'agent', 'tenant')
  deleteRule(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('ruleId') ruleId: string, @Req() req: FastifyRequest): Promise<void> {
    return this.quota.deleteRule(actor, id, ruleId, metaOf(req));
  }

  @Post('grants')
  @Roles('master', 'agent', 'tenant')
  grant(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: GrantDto, @Req() req: FastifyRequest): Promise<GrantView> {
    return this.grants.grant(actor, id, dto, metaOf(req));
  }

  @Get('grants')
  @Roles('master', 'agent', 'tenant', 'user')
  listGrants(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() page: PageQueryDto): Promise<Page<GrantView>> {
    return this.grants.list(actor, id, page.limit, page.cursor);
  }

  @Put('settings')
  @Roles('master', 'agent')
  settings(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: AccountSettingsDto, @Req() req: FastifyRequest) {
    return this.grants.setOversell(actor, id, dto.oversell, metaOf(req));
  }
}
