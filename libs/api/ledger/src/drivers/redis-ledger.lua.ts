/**
 * The ledger's Lua scripts (DESIGN §4). Each reserve and each settle is one script call, so
 * the check and the increment of a whole chain can never interleave with another request's.
 *
 * Data crosses into Lua as MessagePack built by the TypeScript side (redis-ledger.driver.ts):
 * cmsgpack.unpack is C and hands numbers over as numbers, where per-counter ARGV strings cost a
 * tonumber each and string.gmatch over a delimited text cost ~1 µs per counter on the reference
 * box (docs/bench.md). Every number is a double holding an integer below 2^53 (checked on the
 * TypeScript side), so the arithmetic is exact. Numbers go back to Redis as strings made with
 * string.format('%d') — never as a Lua number, which some Redis versions print in exponent
 * notation. Every read and check of a request happens before its first write, and no write can
 * fail, so a request is never applied half-way.
 *
 * Counter keys travel inside the MessagePack payloads rather than in KEYS; they share the hash
 * tag of the declared keys, which keeps the scripts legal on Redis Cluster (same slot).
 */

/**
 * reserve(rKey, dKey, deadlinesKey, requestId, deadlineAt, check, record)
 * check: one MessagePack array of 4n values for n distinct counters, in columns
 *   [key 1..n, amount 1..n, maxUsed 1..n (limit − amount, or false = unlimited),
 *    expireAt 1..n (ms, or false = LIFETIME)].
 * A counter that appears at two levels arrives once, with the summed amount and strictest limit.
 * record: the reservation record, stored as is (layout at SETTLE_FN).
 * LIFETIME counters and the record are written with one MSET; a windowed counter needs its own
 * INCRBY (MSET would drop its expiry), or SET … PXAT when it is new.
 * Returns 0 reserved, -1 duplicate, i > 0 the i-th counter does not fit, or an error message
 * (a counter that does not hold an integer). Only 0 changes anything.
 */
const RESERVE_FN = `
local function reserve(rKey, dKey, deadlinesKey, requestId, deadlineAt, checkPack, record)
  local check = cmsgpack.unpack(checkPack)
  local n = #check / 4
  local values = redis.call('MGET', rKey, dKey, unpack(check, 1, n))
  if values[1] or values[2] then return -1 end
  local used = {}
  for i = 1, n do
    local current = values[i + 2]
    if current then
      used[i] = tonumber(current)
      if not used[i] or used[i] ~= math.floor(used[i]) then return 'ledger: counter ' .. check[i] .. ' does not hold an integer' end
    else
      used[i] = 0
    end
    local maxUsed = check[2 * n + i]
    if maxUsed and used[i] > maxUsed then return i end
  end
  local mset = { rKey, record }
  for i = 1, n do
    local amount = check[n + i]
    local expireAt = check[3 * n + i]
    if not expireAt then
      mset[#mset + 1] = check[i]
      mset[#mset + 1] = string.format('%d', used[i] + amount)
    elseif values[i + 2] then
      redis.call('INCRBY', check[i], string.format('%d', amount))
    else
      redis.call('SET', check[i], string.format('%d', amount), 'PXAT', string.format('%d', expireAt))
    end
  end
  redis.call('MSET', unpack(mset))
  redis.call('ZADD', deadlinesKey, deadlineAt, requestId)
  return 0
end
`;

/**
 * settle(rKey, dKey, deadlinesKey, streamKey, requestId, doneTtl, settledAt, status, inputTokens,
 *        cachedTokens, outputTokens, levelsText, levelCount, actualPack)
 * The reservation record is five MessagePack values, read with one cmsgpack.unpack: meta JSON
 * (string), account ids JSON (string), reserved (array of 3 numbers per level: credits, tokens,
 * requests), occurrences (3 values per level and counter, in chain order: counter key,
 * slot = levelIndex * 3 + unit + 1, windowed boolean), and a JSON string with the rest of the
 * reservation, opaque to Lua, for expired().
 * levelsText: actual amounts "c,t,r;c,t,r;…" for the event; actualPack: the same as a MessagePack
 * array of 3 numbers per level. Release passes levelCount '*': every actual amount is zero.
 * Each counter moves by actual − reserved; a windowed counter that has expired is not recreated.
 * Returns 0 settled, 1 already settled, 2 unknown, 3 level count mismatch, or an error message.
 * Only 0 changes anything.
 */
const SETTLE_FN = `
local function settle(rKey, dKey, deadlinesKey, streamKey, requestId, doneTtl, settledAt, status, inputTokens, cachedTokens, outputTokens, levelsText, levelCount, actualPack)
  local record = redis.call('GET', rKey)
  if not record then
    if redis.call('EXISTS', dKey) == 1 then return 1 end
    return 2
  end
  local meta, accounts, reserved, occurrences = cmsgpack.unpack(record)
  local actual = false
  if levelCount == '*' then
    levelsText = string.sub(string.rep('0,0,0;', #reserved / 3), 1, -2)
  elseif tonumber(levelCount) * 3 ~= #reserved then
    return 3
  else
    actual = cmsgpack.unpack(actualPack)
  end
  local keys, deltas, windowed, index = {}, {}, {}, {}
  local m = 0
  for j = 1, #occurrences, 3 do
    local slot = occurrences[j + 1]
    local delta = (actual and actual[slot] or 0) - reserved[slot]
    if delta ~= 0 then
      local key = occurrences[j]
      local i = index[key]
      if i then
        deltas[i] = deltas[i] + delta
      else
        m = m + 1
        index[key] = m
        keys[m] = key
        deltas[m] = delta
        windowed[m] = occurrences[j + 2]
      end
    end
  end
  if m > 0 then
    local values = redis.call('MGET', unpack(keys))
    local totals = {}
    for i = 1, m do
      local current = values[i]
      local used = 0
      if current then
        used = tonumber(current)
        if not used or used ~= math.floor(used) then return 'ledger: counter ' .. keys[i] .. ' does not hold an integer' end
      end
      totals[i] = string.format('%d', used + deltas[i])
    end
    local mset = {}
    for i = 1, m do
      if not windowed[i] then
        -- A LIFETIME counter never expires (if deleted by hand it restarts from the delta).
        mset[#mset + 1] = keys[i]
        mset[#mset + 1] = totals[i]
      elseif values[i] then
        -- An expired window stays gone.
        redis.call('INCRBY', keys[i], string.format('%d', deltas[i]))
      end
    end
    if #mset > 0 then redis.call('MSET', unpack(mset)) end
  end
  redis.call('DEL', rKey)
  redis.call('ZREM', deadlinesKey, requestId)
  redis.call('SET', dKey, '1', 'EX', doneTtl)
  redis.call('XADD', streamKey, '*',
    'requestId', requestId,
    'meta', meta,
    'accounts', accounts,
    'levels', levelsText,
    'inputTokens', inputTokens,
    'cachedTokens', cachedTokens,
    'outputTokens', outputTokens,
    'status', status,
    'settledAt', settledAt)
  return 0
end
`;

const SETTLE_ARGS = 10;

/** KEYS: reservation, done marker, deadlines. ARGV: requestId, deadlineAt, check, record. */
export const RESERVE_LUA = `${RESERVE_FN}
local result = reserve(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if type(result) == 'string' then return redis.error_reply(result) end
return result
`;

/**
 * KEYS: reservation, done marker, deadlines, usage stream. ARGV: requestId, doneTtl, settledAt,
 * status, input/cached/output tokens, levelsText, levelCount, actualPack.
 */
export const SETTLE_LUA = `${SETTLE_FN}
local result = settle(KEYS[1], KEYS[2], KEYS[3], KEYS[4], unpack(ARGV, 1, ${SETTLE_ARGS}))
if type(result) == 'string' then return redis.error_reply(result) end
return result
`;

/** KEYS[1] usage stream; ARGV group then ids. XACK + XDEL in one step so an acked event cannot linger. */
export const ACK_LUA = `
local group = table.remove(ARGV, 1)
redis.call('XACK', KEYS[1], group, unpack(ARGV))
return redis.call('XDEL', KEYS[1], unpack(ARGV))
`;
