import { Module } from '@nestjs/common';
import { AccountsModule } from '@tiergate/api-accounts';
import { UsageReportsController } from './usage-reports.controller.js';
import { UsageReportsService } from './usage-reports.service.js';
import { UsageReportsRepository } from './usage.repository.js';

@Module({
  imports: [AccountsModule],
  controllers: [UsageReportsController],
  providers: [UsageReportsService, UsageReportsRepository],
  exports: [UsageReportsService],
})
export class UsageModule {}
