import type { Tier } from '@tiergate/contracts';
import type { MessageKey } from './messages.js';

export type ConsoleId = 'admin' | 'agent' | 'app';

export interface ConsoleInfo {
  id: ConsoleId;
  path: string;
  title: MessageKey;
  tiers: readonly Tier[];
}

/** Which console serves which tier; the API's token audiences are the same tiers. */
export const CONSOLES: Record<ConsoleId, ConsoleInfo> = {
  admin: { id: 'admin', path: '/admin/', title: 'app.admin', tiers: ['master'] },
  agent: { id: 'agent', path: '/agent/', title: 'app.agent', tiers: ['agent'] },
  app: { id: 'app', path: '/app/', title: 'app.app', tiers: ['tenant', 'user'] },
};

export function consoleOfTier(tier: Tier): ConsoleInfo {
  return Object.values(CONSOLES).find((c) => c.tiers.includes(tier))!;
}
