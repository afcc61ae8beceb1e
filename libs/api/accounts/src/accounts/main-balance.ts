/**
 * Every account has one LIFETIME CREDITS rule: its balance (DESIGN §2). It is created with the
 * account — 0 for everyone, unlimited for the master — and raised or lowered by grants.
 */
export const MAIN_RULE_SHAPE = 'CREDITS/LIFETIME';
