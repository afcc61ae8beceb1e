import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DatabaseTarget, PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DbModule {
  static forRoot(target: DatabaseTarget): DynamicModule {
    return {
      module: DbModule,
      providers: [{ provide: DatabaseTarget, useValue: target }, PrismaService],
      exports: [PrismaService, DatabaseTarget],
    };
  }
}
