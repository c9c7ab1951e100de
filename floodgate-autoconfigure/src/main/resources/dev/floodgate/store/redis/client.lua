-- Floodgate: count one request of one client, or refuse it, in one call. No escalation rule lives here
-- (violations, blocks, bans and their expiry are decided in Java, by dev.floodgate.store.RuleBookStore):
-- this refuses a client whose block or ban has not ended, and otherwise counts the request against every
-- limit of its policy only when all of them hold (the arithmetic of DecisionRules.checkLimits).
-- KEYS[1]  the client's hash, <prefix>{<client>}
-- ARGV[1]  the time in epoch ms, or -1 to take it from the server (TIME)
-- ARGV[2]  the cost of the request (the units it spends of each limit); ARGV[3] the policy's field
--          prefix '<policy>|'; then per limit its count and its window (ms). Only ARGV[1] with no policy.
-- Returns  admitted: {remaining, reset, limit index} of the tightest limit
--          no policy, neither blocked nor banned: {}
--          refused: {now, retry, violated limit index (-1: blocked or banned, nothing checked),
--                    ver, vt, bt, bn, ba, bu, bl, na, nu} (the escalation fields as stored)
-- The hash: per limit '<policy>|<window>' = 'index:previous:current'; lc the latest counted request, cr how
-- long counters are kept after it; written by write.lua only: ex (when the escalation state stops
-- mattering), ver and the escalation fields vt, bt (comma-separated times), bn, ba, bu, bl, na, nu. This
-- script only compares bu and nu with now: a permanent ban is Java's Long.MAX_VALUE, kept as written.

local SLIDING = ${SLIDING}
local PERMANENT = '9223372036854775807'

local key = KEYS[1]
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local limits = 0
if #ARGV > 3 then limits = (#ARGV - 3) / 2 end
local fields = {'bu', 'nu', 'lc', 'cr', 'ex'}
for i = 1, limits do fields[5 + i] = ARGV[3] .. ARGV[3 + i * 2] end
local stored = redis.call('HMGET', key, unpack(fields))

local function refuse(retry, violated)
  local e = redis.call('HMGET', key, 'ver', 'vt', 'bt', 'bn', 'ba', 'bl', 'na')
  return {now, retry, violated, e[1], e[2], e[3], e[4], e[5], stored[1], e[6], e[7], stored[2]}
end

-- nu = -1 is how a permanent ban was written before Floodgate 0.2: still a ban
local nu = tonumber(stored[2]) or 0
if (tonumber(stored[1]) or 0) > now or nu > now or nu == -1 then
  return refuse(0, -1)
end
if limits == 0 then
  return {}
end
local cost = tonumber(ARGV[2])

-- how long until a request of this cost is admitted by a sliding window with these counts
-- (the same arithmetic as DecisionRules.slidingRetryAfter)
local function slidingRetry(count, window, elapsed, prev, cur)
  if cur + cost <= count and prev > 0 then
    local needed = window - math.floor(((count - cur - cost) * window) / prev)
    return math.max(needed, elapsed + 1) - elapsed
  end
  local nextElapsed = 0
  if cur > 0 then nextElapsed = math.max(0, window - math.floor(((count - cost) * window) / cur)) end
  return (window - elapsed) + nextElapsed
end

local tightest, tightestRemaining, tightestReset, tightestExhausted = -1, -1, 0, false
local rejected, violated, retry = false, -1, 0
local indexes, previous, current = {}, {}, {}
local longest = 0
for i = 1, limits do
  local count = tonumber(ARGV[2 + i * 2])
  local window = tonumber(ARGV[3 + i * 2])
  if window > longest then longest = window end
  local index = math.floor(now / window)
  local prev, cur = 0, 0
  local value = stored[5 + i]
  if value then
    local storedIndex, storedPrev, storedCur = string.match(value, '^(-?%d+):(%d+):(%d+)$')
    storedIndex = tonumber(storedIndex)
    -- a counter newer than this time's window (a clock stepped back, a failover to a server
    -- whose clock is behind) is the current one: never dropped, counted into
    if storedIndex and storedIndex > index then index = storedIndex end
    if storedIndex == index then
      prev, cur = tonumber(storedPrev), tonumber(storedCur)
    elseif storedIndex == index - 1 then
      prev = tonumber(storedCur)
    end
  end
  local elapsed = now - index * window
  indexes[i], previous[i], current[i] = index, prev, cur
  local remaining, reset, admits
  if SLIDING == 1 then
    local weighted = prev * (window - math.max(0, elapsed))
    local room = (count - cur - cost) * window
    admits = weighted <= room
    if admits then
      remaining = math.floor((room - weighted) / window)
      reset = window - elapsed
      -- fewer than the cost left: say when the next request would be admitted, not the reset
      if remaining < cost then reset = slidingRetry(count, window, elapsed, prev, cur + cost) end
    else
      local r = slidingRetry(count, window, elapsed, prev, cur)
      if violated < 0 or r > retry then
        retry = r
        violated = i - 1
      end
    end
  else
    reset = (index + 1) * window - now
    admits = cur + cost <= count
    if admits then
      remaining = count - cur - cost
    elseif violated < 0 or reset > retry then
      retry = reset
      violated = i - 1
    end
  end
  if not admits then
    rejected = true
  elseif not rejected then
    -- the tightest limit: one that admits no further request, the latest to admit one; else
    -- the fewest units left, then the latest reset (as DecisionRules.checkLimits)
    local exhausted = remaining < cost
    local tighter
    if tightest < 0 then tighter = true
    elseif exhausted ~= tightestExhausted then tighter = exhausted
    elseif exhausted then tighter = reset > tightestReset
    else tighter = remaining < tightestRemaining or (remaining == tightestRemaining and reset > tightestReset) end
    if tighter then
      tightest, tightestRemaining, tightestReset, tightestExhausted = i - 1, remaining, reset, exhausted
    end
  end
end

if rejected then
  return refuse(math.max(1, retry), violated)
end

local counted = {}
for i = 1, limits do
  counted[#counted + 1] = fields[5 + i]
  counted[#counted + 1] = string.format('%d:%d:%d', indexes[i], previous[i], current[i] + cost)
end
local lc, cr = tonumber(stored[3]) or 0, tonumber(stored[4]) or 0
if now > lc then
  lc = now
  counted[#counted + 1] = 'lc'
  counted[#counted + 1] = string.format('%d', now)
end
local keep = longest
if SLIDING == 1 then keep = 2 * longest end
if keep > cr then
  cr = keep
  counted[#counted + 1] = 'cr'
  counted[#counted + 1] = string.format('%d', keep)
end
redis.call('HSET', key, unpack(counted))
if stored[5] ~= PERMANENT then
  local at = math.max(lc + cr, tonumber(stored[5]) or 0)
  redis.call('PEXPIRE', key, string.format('%d', math.max(1, at - now)))
end
return {tightestRemaining, tightestReset, tightest}
