/** What the global setup hands every spec file through vitest's provide/inject. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL for the run: DATABASE_URL, or an embedded one started for it. */
    databaseUrl: string;
    /** REDIS_URL, or null when Redis-path specs should be skipped. */
    redisUrl: string | null;
  }
}

export {};
