/**
 * The ledger's Lua scripts (DESIGN §4). Each runs atomically inside Redis, so the check and the
 * increment of a whole chain can never interleave with another request's.
 *
 * Data crosses into Lua as MessagePack built by the TypeScript side (redis-ledger.driver.ts):
 * cmsgpack.unpack is C and hands numbers over as numbers, where per-counter ARGV strings cost a
 * tonumber each and string.gmatch over a delimited text cost ~1 µs per counter on the reference
 * box (docs/bench.md). Every number is a double holding an integer below 2^53 (checked on the
 * TypeScript side), so the arithmetic is exact. Numbers go back to Redis as the caller's decimal
 * strings or through string.format('%d') — never as a Lua number, which some Redis versions print
 * in exponent notation. Every read and check happens before the first write, so a script never
 * stops half-way.
 *
 * Counter keys travel inside the MessagePack payloads rather than in KEYS; they share the hash
 * tag of the declared keys, which keeps the scripts legal on Redis Cluster (same slot).
 */

/** Reads a counter value; one that is not an integer (written by hand) stops the script before any write. */
const INTEGER_FN = `
local function integer(value, key)
  local n = tonumber(value)
  if not n or n ~= math.floor(n) then error('ledger: counter ' .. key .. ' does not hold an integer') end
  return n
end
`;

/**
 * KEYS[1] reservation, KEYS[2] done marker, KEYS[3] deadlines zset.
 * ARGV[1] requestId, ARGV[2] deadlineAt, ARGV[4] the reservation record (stored as is, see SETTLE_LUA),
 * ARGV[3] the check: one MessagePack array of 4n values for n distinct counters, in columns
 *   [key 1..n, amount 1..n, maxUsed 1..n (limit − amount, or false = unlimited),
 *    expireAt 1..n (ms, or false = LIFETIME)].
 * A counter that appears at two levels arrives once, with the summed amount and strictest limit.
 * LIFETIME counters and the record are written with one MSET; a windowed counter needs its own
 * INCRBY (MSET would drop its expiry), or SET … PXAT when it is new.
 * Returns 0 reserved, -1 duplicate, i > 0 the i-th counter does not fit. Only 0 changes anything.
 */
export const RESERVE_LUA = `${INTEGER_FN}
local check = cmsgpack.unpack(ARGV[3])
local n = #check / 4
local values = redis.call('MGET', KEYS[1], KEYS[2], unpack(check, 1, n))
if values[1] or values[2] then return -1 end
local used = {}
for i = 1, n do
  local current = values[i + 2]
  used[i] = current and integer(current, check[i]) or 0
  local maxUsed = check[2 * n + i]
  if maxUsed and used[i] > maxUsed then return i end
end
local mset = { KEYS[1], ARGV[4] }
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
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 0
`;

/**
 * The reservation record is five MessagePack values, read with one cmsgpack.unpack: meta JSON
 * (string), account ids JSON (string), reserved (array of 3 numbers per level: credits, tokens,
 * requests), occurrences (3 values per level and counter, in chain order: counter key,
 * slot = levelIndex * 3 + unit + 1, windowed boolean), and a JSON string with the rest of the
 * reservation, opaque to Lua, for expired().
 *
 * KEYS[1] reservation, KEYS[2] done marker, KEYS[3] deadlines zset, KEYS[4] usage stream.
 * ARGV[1] requestId, ARGV[2] done-marker ttl (s), ARGV[3] settledAt, ARGV[4] status,
 * ARGV[5..7] input/cached/output tokens, ARGV[8] actual amounts "c,t,r;c,t,r;…" (for the event),
 * ARGV[9] level count, ARGV[10] the actual amounts as a MessagePack array (3 numbers per level).
 * Release passes ARGV[9] = '*' and nothing more: every actual amount is zero.
 * Each counter moves by actual − reserved; a windowed counter that has expired is not recreated.
 * Returns 0 settled, 1 already settled, 2 unknown, 3 level count mismatch. Only 0 changes anything.
 */
export const SETTLE_LUA = `${INTEGER_FN}
local record = redis.call('GET', KEYS[1])
if not record then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
  return 2
end
local meta, accounts, reserved, occurrences = cmsgpack.unpack(record)
local levelsText = ARGV[8]
local actual = false
if ARGV[9] == '*' then
  levelsText = string.sub(string.rep('0,0,0;', #reserved / 3), 1, -2)
elseif tonumber(ARGV[9]) * 3 ~= #reserved then
  return 3
else
  actual = cmsgpack.unpack(ARGV[10])
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
  local mset = {}
  for i = 1, m do
    local current = values[i]
    if not windowed[i] then
      -- A LIFETIME counter never expires (if deleted by hand it restarts from the delta).
      mset[#mset + 1] = keys[i]
      mset[#mset + 1] = string.format('%d', (current and integer(current, keys[i]) or 0) + deltas[i])
    elseif current then
      integer(current, keys[i])
    end
  end
  for i = 1, m do
    -- An expired window stays gone.
    if windowed[i] and values[i] then redis.call('INCRBY', keys[i], string.format('%d', deltas[i])) end
  end
  if #mset > 0 then redis.call('MSET', unpack(mset)) end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
redis.call('XADD', KEYS[4], '*',
  'requestId', ARGV[1],
  'meta', meta,
  'accounts', accounts,
  'levels', levelsText,
  'inputTokens', ARGV[5],
  'cachedTokens', ARGV[6],
  'outputTokens', ARGV[7],
  'status', ARGV[4],
  'settledAt', ARGV[3])
return 0
`;

/** KEYS[1] usage stream; ARGV group then ids. XACK + XDEL in one step so an acked event cannot linger. */
export const ACK_LUA = `
local group = table.remove(ARGV, 1)
redis.call('XACK', KEYS[1], group, unpack(ARGV))
return redis.call('XDEL', KEYS[1], unpack(ARGV))
`;
