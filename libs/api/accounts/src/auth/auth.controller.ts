import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { type Actor, CurrentActor, Public, Roles } from '@tiergate/api-core';
import { LoginDto, type LoginResponse, LogoutDto, RefreshDto, type TokenPair } from '@tiergate/contracts';
import type { FastifyRequest } from 'fastify';
import { AuthService } from './auth.service.js';

@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('auth/login')
  @HttpCode(200)
  @Public()
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<LoginResponse> {
    return this.auth.login(dto.username, dto.password, req.ip);
  }

  @Post('auth/refresh')
  @HttpCode(200)
  @Public()
  refresh(@Body() dto: RefreshDto): Promise<TokenPair> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('auth/logout')
  @HttpCode(200)
  @Roles('master', 'agent', 'tenant', 'user')
  logout(@CurrentActor() actor: Actor, @Body() dto: LogoutDto): Promise<{ revoked: number }> {
    return this.auth.logout(actor, dto.refreshToken);
  }

  @Get('me')
  @Roles('master', 'agent', 'tenant', 'user')
  me(@CurrentActor() actor: Actor) {
    return this.auth.me(actor);
  }
}
