import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { type Actor, CurrentActor, Roles } from '@tiergate/api-core';
import { type Page, type RequestLogEntryView, RequestLogQueryDto, UsageQueryDto, type UsageReportView } from '@tiergate/contracts';
import type { FastifyReply } from 'fastify';
import { UsageReportsService } from './usage-reports.service.js';

/** Headers only once the CSV exists: an error must still go out as the usual JSON body. */
function asCsv(reply: FastifyReply, filename: string, csv: string): string {
  void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`);
  return csv;
}

@Controller('api/v1/accounts/:id')
export class UsageReportsController {
  constructor(private readonly reports: UsageReportsService) {}

  /** Tokens, requests and charges of the account's subtree by day, model or direct child. */
  @Get('usage')
  @Roles('master', 'agent', 'tenant', 'user')
  usage(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: UsageQueryDto): Promise<UsageReportView> {
    return this.reports.usage(actor, id, q);
  }

  @Get('usage/export')
  @Roles('master', 'agent', 'tenant', 'user')
  async usageCsv(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: UsageQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return asCsv(reply, 'usage.csv', await this.reports.usageCsv(actor, id, q));
  }

  /** The subtree's requests, newest first: metadata and this account's charge, never any text. */
  @Get('requests')
  @Roles('master', 'agent', 'tenant', 'user')
  requests(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: RequestLogQueryDto): Promise<Page<RequestLogEntryView>> {
    return this.reports.requests(actor, id, q);
  }

  @Get('requests/export')
  @Roles('master', 'agent', 'tenant', 'user')
  async requestsCsv(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: RequestLogQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return asCsv(reply, 'requests.csv', await this.reports.requestsCsv(actor, id, q));
  }
}
