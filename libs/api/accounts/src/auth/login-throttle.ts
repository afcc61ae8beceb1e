import { Injectable } from '@nestjs/common';
import { AppConfig, RateLimitedError, RateLimiter } from '@tiergate/api-core';

/**
 * Login rate limits: attempts per client address, and failures per username (a success clears
 * them). Redis-backed across replicas; in-process on a single node.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  async beforeAttempt(username: string, ip: string): Promise<void> {
    const { attemptsPerIp, failuresPerUsername, windowSeconds } = this.config.loginLimits;
    const byIp = await this.limiter.hit(`login:ip:${ip}`, attemptsPerIp, windowSeconds);
    if (!byIp.allowed) {
      throw new RateLimitedError('too_many_login_attempts', 'Too many login attempts from this address; try again later', byIp.retryAfterSeconds);
    }
    const byUser = await this.limiter.peek(`login:user:${username}`, failuresPerUsername - 1, windowSeconds);
    if (!byUser.allowed) {
      throw new RateLimitedError('too_many_login_attempts', 'Too many failed logins for this username; try again later', byUser.retryAfterSeconds);
    }
  }

  async failed(username: string): Promise<void> {
    const { failuresPerUsername, windowSeconds } = this.config.loginLimits;
    await this.limiter.hit(`login:user:${username}`, failuresPerUsername, windowSeconds);
  }

  async succeeded(username: string): Promise<void> {
    await this.limiter.reset(`login:user:${username}`);
  }
}
