import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import { PriceListDto, type PriceListView } from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { PriceListsService } from './price-lists.service.js';

@Controller('api/v1/accounts/:id/price-list')
export class PriceListsController {
  constructor(private readonly lists: PriceListsService) {}

  @Get()
  @Roles('master', 'agent', 'tenant')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<PriceListView> {
    return this.lists.get(actor, id);
  }

  @Put()
  @Roles('agent', 'tenant')
  put(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: PriceListDto, @Req() req: FastifyRequest): Promise<PriceListView> {
    return this.lists.put(actor, id, dto, metaOf(req));
  }
}
