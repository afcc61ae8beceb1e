import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { metaOf } from '@tiergate/api-accounts';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import {
  AddChannelKeyDto,
  type ChannelEventView,
  type ChannelKeyView,
  type ChannelView,
  CreateChannelDto,
  type Page,
  PageQueryDto,
  UpdateChannelDto,
} from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { ChannelsService } from './channels.service.js';

/** Upstream channels: the master's alone. */
@Controller('api/v1/channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  @Roles('master')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateChannelDto, @Req() req: FastifyRequest): Promise<ChannelView> {
    return this.channels.create(actor, dto, metaOf(req));
  }

  @Get()
  @Roles('master')
  list(@Query() page: PageQueryDto): Promise<Page<ChannelView>> {
    return this.channels.list(page.limit, page.cursor);
  }

  @Get(':id')
  @Roles('master')
  get(@Param('id') id: string): Promise<ChannelView> {
    return this.channels.get(id);
  }

  @Patch(':id')
  @Roles('master')
  update(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: UpdateChannelDto, @Req() req: FastifyRequest): Promise<ChannelView> {
    return this.channels.update(actor, id, dto, metaOf(req));
  }

  @Post(':id/keys')
  @Roles('master')
  addKey(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: AddChannelKeyDto, @Req() req: FastifyRequest): Promise<ChannelKeyView> {
    return this.channels.addKey(actor, id, dto, metaOf(req));
  }

  @Delete(':id/keys/:keyId')
  @HttpCode(204)
  @Roles('master')
  removeKey(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('keyId') keyId: string, @Req() req: FastifyRequest): Promise<void> {
    return this.channels.removeKey(actor, id, keyId, metaOf(req));
  }

  @Get(':id/events')
  @Roles('master')
  events(@Param('id') id: string, @Query() page: PageQueryDto): Promise<Page<ChannelEventView>> {
    return this.channels.events(id, page.limit, page.cursor);
  }
}
