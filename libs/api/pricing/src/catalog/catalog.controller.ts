import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import { type CatalogEntryView, ModelPriceDto } from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { CatalogService } from './catalog.service.js';

@Controller('api/v1/catalog/models')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @Roles('master')
  list(): Promise<CatalogEntryView[]> {
    return this.catalog.list();
  }

  @Put(':model')
  @Roles('master')
  put(@CurrentActor() actor: Actor, @Param('model') model: string, @Body() dto: ModelPriceDto, @Req() req: FastifyRequest): Promise<CatalogEntryView> {
    return this.catalog.put(actor, model, dto, metaOf(req));
  }

  @Delete(':model')
  @HttpCode(204)
  @Roles('master')
  remove(@CurrentActor() actor: Actor, @Param('model') model: string, @Req() req: FastifyRequest): Promise<void> {
    return this.catalog.remove(actor, model, metaOf(req));
  }
}
