import type { UsageEvent } from '../ledger.types.js';

/** What the batch needs of a pg pool (the persister's own in its thread, Prisma's otherwise). */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/**
 * Writes a batch of usage events: one statement (atomic without a transaction); a replayed event
 * hits the unique request id and is skipped. Column arrays through unnest, straight on a pg pool: a
 * batch is a few hundred rows, and both Prisma's createMany (it compiled every row on the event
 * loop, about 2 ms of CPU per event) and its raw-query path (its query compiler and per-value
 * argument mapping) cost the relay's event loop more than the whole write.
 * The charges new to this batch (what the inserts return) are folded into the daily rollup in
 * the same statement, so the rollup never counts a request twice nor misses one.
 */
export async function insertUsageBatch(pool: Queryable, events: UsageEvent[]): Promise<void> {
  if (events.length === 0) return;
  const n = events.length;
  const requestIds = new Array<string>(n);
  const accountIds = new Array<string>(n);
  const apiKeyIds = new Array<string | null>(n);
  const channelIds = new Array<string | null>(n);
  const models = new Array<string>(n);
  const input = new Array<string>(n);
  const cached = new Array<string>(n);
  const output = new Array<string>(n);
  const statuses = new Array<string>(n);
  const settledAt = new Array<string>(n);
  const charge = { requestIds: [] as string[], accountIds: [] as string[], depths: [] as number[], credits: [] as string[], tokens: [] as string[], requests: [] as string[], settledAt: [] as string[] };
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    requestIds[i] = e.requestId;
    accountIds[i] = e.meta.accountId;
    apiKeyIds[i] = e.meta.apiKeyId ?? null;
    channelIds[i] = e.meta.channelId ?? null;
    models[i] = e.meta.model;
    input[i] = e.inputTokens.toString();
    cached[i] = e.cachedTokens.toString();
    output[i] = e.outputTokens.toString();
    statuses[i] = e.status;
    settledAt[i] = new Date(e.settledAt).toISOString();
    for (let depth = 0; depth < e.levels.length; depth++) {
      const level = e.levels[depth]!;
      charge.requestIds.push(e.requestId);
      charge.accountIds.push(level.accountId);
      charge.depths.push(depth);
      charge.credits.push(level.credits.toString());
      charge.tokens.push(level.tokens.toString());
      charge.requests.push(level.requests.toString());
      charge.settledAt.push(settledAt[i]!);
    }
  }
  await pool.query(INSERT_BATCH_SQL, [
    requestIds,
    accountIds,
    apiKeyIds,
    channelIds,
    models,
    input,
    cached,
    output,
    statuses,
    settledAt,
    charge.requestIds,
    charge.accountIds,
    charge.depths,
    charge.credits,
    charge.tokens,
    charge.requests,
    charge.settledAt,
  ]);
}

/**
 * Per level of the rollup: the day, the model, the account below it on the chain (itself at depth
 * 0) and what that account was charged (the level's revenue). Parameters: ten usage_record
 * columns, then seven usage_charge columns, each an array.
 */
const INSERT_BATCH_SQL = `
  WITH records AS (
    INSERT INTO usage_record (request_id, account_id, api_key_id, channel_id, model, input_tokens, cached_tokens, output_tokens, status, settled_at)
    SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::uuid[], $4::uuid[], $5::varchar[], $6::bigint[], $7::bigint[], $8::bigint[], $9::varchar[], $10::timestamptz[])
    ON CONFLICT DO NOTHING
    RETURNING request_id, model
  ), fresh AS (
    INSERT INTO usage_charge (request_id, account_id, depth, credits, tokens, requests, settled_at)
    SELECT * FROM unnest($11::varchar[], $12::uuid[], $13::int[], $14::bigint[], $15::bigint[], $16::bigint[], $17::timestamptz[])
    ON CONFLICT DO NOTHING
    RETURNING request_id, account_id, depth, credits, tokens, requests, settled_at
  )
  INSERT INTO usage_daily (account_id, day, model, via_id, requests, tokens, credits, child_credits)
  SELECT c.account_id, (c.settled_at AT TIME ZONE 'UTC')::date, r.model, COALESCE(b.account_id, c.account_id),
         SUM(c.requests), SUM(c.tokens), SUM(c.credits), COALESCE(SUM(b.credits), 0)
  FROM fresh c
  JOIN records r ON r.request_id = c.request_id
  LEFT JOIN fresh b ON b.request_id = c.request_id AND b.depth = c.depth - 1
  GROUP BY 1, 2, 3, 4
  ON CONFLICT (account_id, day, model, via_id) DO UPDATE SET
    requests = usage_daily.requests + EXCLUDED.requests,
    tokens = usage_daily.tokens + EXCLUDED.tokens,
    credits = usage_daily.credits + EXCLUDED.credits,
    child_credits = usage_daily.child_credits + EXCLUDED.child_credits`;
