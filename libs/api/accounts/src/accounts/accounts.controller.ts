import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import {
  type AccountView,
  CreateAccountDto,
  MoveAccountDto,
  type Page,
  PageQueryDto,
  UpdateAccountDto,
} from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { AccountsService, type RequestMeta } from './accounts.service.js';

export function metaOf(req: FastifyRequest): RequestMeta {
  return { requestId: String(req.id), ip: req.ip };
}

@Controller('api/v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @Roles('master', 'agent', 'tenant')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateAccountDto, @Req() req: FastifyRequest): Promise<AccountView> {
    return this.accounts.create(actor, dto, metaOf(req));
  }

  @Get(':id')
  @Roles('master', 'agent', 'tenant', 'user')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountView> {
    return this.accounts.get(actor, id);
  }

  @Get(':id/children')
  @Roles('master', 'agent', 'tenant')
  children(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() page: PageQueryDto): Promise<Page<AccountView>> {
    return this.accounts.children(actor, id, page.limit, page.cursor);
  }

  @Patch(':id')
  @Roles('master', 'agent', 'tenant')
  update(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: UpdateAccountDto,
    @Req() req: FastifyRequest,
  ): Promise<AccountView> {
    return this.accounts.update(actor, id, dto, metaOf(req));
  }

  @Post(':id/move')
  @HttpCode(200)
  @Roles('master', 'agent', 'tenant')
  move(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: MoveAccountDto,
    @Req() req: FastifyRequest,
  ): Promise<AccountView> {
    return this.accounts.move(actor, id, dto, metaOf(req));
  }
}
