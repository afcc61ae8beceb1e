/**
 * The ledger's Lua scripts (DESIGN §4). Each runs atomically inside Redis, so the check and the
 * increment of a whole chain can never interleave with another request's.
 *
 * Numbers: Lua numbers are doubles, exact below 2^53; the TypeScript side refuses anything larger.
 * Values that go back to Redis are passed as the caller's decimal strings, or formatted with
 * '%.0f' (never tostring, which switches to exponent notation at 1e15).
 *
 * Reservation record (one string at <p>:r:<requestId>), written by the caller, read by SETTLE:
 *   line 1  meta JSON              → copied into the usage event
 *   line 2  account ids JSON       → copied into the usage event
 *   line 3  reservation JSON       → read back by expired() only
 *   line 4  level count
 *   then one line per (level, counter): "<slot> <reserved> <windowed 0|1> <counter key>"
 *   where slot = levelIndex * 3 + (0 credits | 1 tokens | 2 requests).
 * A plain delimited string, because string.find/gmatch are far cheaper than cjson.decode here.
 */

/**
 * KEYS[1] reservation, KEYS[2] done marker, KEYS[3] deadlines zset, KEYS[4..] distinct counters.
 * ARGV[1] requestId, ARGV[2] deadlineAt, ARGV[3] reservation record,
 * then per counter i: ARGV[3i+1] amount, ARGV[3i+2] limit ('' = unlimited), ARGV[3i+3] expire-at ms ('' = never).
 * Returns 0 reserved, -1 duplicate (nothing changed), i > 0 the first counter that does not fit (nothing changed).
 */
export const RESERVE_LUA = `
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return -1 end
local n = #KEYS - 3
local used = redis.call('MGET', unpack(KEYS, 4))
for i = 1, n do
  local limit = ARGV[3 * i + 2]
  if limit ~= '' and (tonumber(used[i]) or 0) + tonumber(ARGV[3 * i + 1]) > tonumber(limit) then return i end
end
for i = 1, n do
  local amount = ARGV[3 * i + 1]
  if amount ~= '0' then
    local key = KEYS[i + 3]
    redis.call('INCRBY', key, amount)
    local expireAt = ARGV[3 * i + 3]
    if expireAt ~= '' and not used[i] then redis.call('PEXPIREAT', key, expireAt) end
  end
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 0
`;

/**
 * KEYS[1] reservation, KEYS[2] done marker, KEYS[3] deadlines zset, KEYS[4] usage stream.
 * ARGV[1] requestId, ARGV[2] done-marker ttl (s), ARGV[3] settledAt, ARGV[4] status,
 * ARGV[5..7] input/cached/output tokens, ARGV[8] actual levels JSON (for the event), ARGV[9] level count,
 * ARGV[10..] actual amounts, three per level (credits, tokens, requests).
 * Release passes ARGV[9] = '*' and no amounts: every actual is zero, whatever the level count.
 * Counter keys come from the reservation record; they share the hash tag of KEYS, so this stays
 * legal on Redis Cluster. A windowed counter that has expired is not recreated.
 * Returns 0 settled, 1 already settled, 2 unknown, 3 level count mismatch (nothing changed).
 */
export const SETTLE_LUA = `
local record = redis.call('GET', KEYS[1])
if not record then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
  return 2
end
local e1 = string.find(record, '\\n', 1, true)
local e2 = string.find(record, '\\n', e1 + 1, true)
local e3 = string.find(record, '\\n', e2 + 1, true)
local e4 = string.find(record, '\\n', e3 + 1, true)
local levelCount = string.sub(record, e3 + 1, e4 - 1)
local actualLevels = ARGV[8]
if ARGV[9] == '*' then
  actualLevels = '[' .. string.rep('["0","0","0"],', tonumber(levelCount) - 1) .. '["0","0","0"]]'
elseif levelCount ~= ARGV[9] then
  return 3
end
for slot, reserved, windowed, key in string.gmatch(string.sub(record, e4 + 1), '(%d+) (%d+) (%d) ([^\\n]+)') do
  local delta = (tonumber(ARGV[10 + slot]) or 0) - tonumber(reserved)
  if delta ~= 0 and (windowed == '0' or redis.call('EXISTS', key) == 1) then
    redis.call('INCRBY', key, string.format('%.0f', delta))
  end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
redis.call('XADD', KEYS[4], '*',
  'requestId', ARGV[1],
  'meta', string.sub(record, 1, e1 - 1),
  'accounts', string.sub(record, e1 + 1, e2 - 1),
  'levels', actualLevels,
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
