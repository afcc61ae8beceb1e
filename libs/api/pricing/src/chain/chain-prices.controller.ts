import { Controller, Get, Param } from '@nestjs/common';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import type { EffectivePriceView } from '@tiergate/contracts';
import { ChainPricesService } from './chain-prices.service.js';

@Controller('api/v1/accounts/:id/prices')
export class ChainPricesController {
  constructor(private readonly prices: ChainPricesService) {}

  /** What the account pays per model along its chain, and what it charges its children. */
  @Get()
  @Roles('master', 'agent', 'tenant', 'user')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<EffectivePriceView[]> {
    return this.prices.effectivePrices(actor, id);
  }
}
