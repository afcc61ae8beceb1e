import { Module } from '@nestjs/common';
import { AccountsModule } from '@tiergate/api-accounts';
import { CatalogController } from './catalog/catalog.controller.js';
import { ChainPricesController } from './chain/chain-prices.controller.js';
import { ChainPricesService } from './chain/chain-prices.service.js';
import { CatalogService } from './catalog/catalog.service.js';
import { PriceListsController } from './price-lists/price-lists.controller.js';
import { PriceListsService } from './price-lists/price-lists.service.js';

@Module({
  imports: [AccountsModule],
  controllers: [CatalogController, PriceListsController, ChainPricesController],
  providers: [CatalogService, PriceListsService, ChainPricesService],
  exports: [CatalogService, PriceListsService, ChainPricesService],
})
export class PricingModule {}
