import { Module } from '@nestjs/common';
import { AccountsModule } from '@tiergate/api-accounts';
import { CatalogController } from './catalog/catalog.controller.js';
import { CatalogService } from './catalog/catalog.service.js';
import { PriceListsController } from './price-lists/price-lists.controller.js';
import { PriceListsService } from './price-lists/price-lists.service.js';

@Module({
  imports: [AccountsModule],
  controllers: [CatalogController, PriceListsController],
  providers: [CatalogService, PriceListsService],
  exports: [CatalogService, PriceListsService],
})
export class PricingModule {}
