import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import { type ApiKeyView, CreateApiKeyDto, type CreatedApiKey, type Page, PageQueryDto, UpdateApiKeyDto } from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiKeysService } from './api-keys.service.js';

/** Every tier may call these; the access rule lets through the owner and its direct parent only. */
@Controller('api/v1/accounts/:id/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Roles('master', 'agent', 'tenant', 'user')
  create(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: CreateApiKeyDto, @Req() req: FastifyRequest): Promise<CreatedApiKey> {
    return this.keys.create(actor, id, dto, metaOf(req));
  }

  @Get()
  @Roles('master', 'agent', 'tenant', 'user')
  list(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() page: PageQueryDto): Promise<Page<ApiKeyView>> {
    return this.keys.list(actor, id, page.limit, page.cursor);
  }

  @Patch(':keyId')
  @Roles('master', 'agent', 'tenant', 'user')
  update(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('keyId') keyId: string, @Body() dto: UpdateApiKeyDto, @Req() req: FastifyRequest): Promise<ApiKeyView> {
    return this.keys.update(actor, id, keyId, dto, metaOf(req));
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Roles('master', 'agent', 'tenant', 'user')
  revoke(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('keyId') keyId: string, @Req() req: FastifyRequest): Promise<void> {
    return this.keys.revoke(actor, id, keyId, metaOf(req));
  }
}
