-- Floodgate: the whole decision for one request of one client, in one call.
-- The same rules as dev.floodgate.core.DecisionRules, on one hash per client.
-- KEYS[1]  the client's hash, floodgate:{client}
-- ARGV[1]  the time in epoch ms, or -1 to take it from the server (TIME)
-- ARGV[2]  the operation: d = decide, b = block by hand, n = ban by hand, s = status
-- decide:  ARGV[3] the number of limits, then per limit: field, count, window (ms), then the cost of
--          the request (the units it spends of each limit; 1 when absent)
-- b, n:    ARGV[3] the length in ms (-1 = permanent ban)
-- Returns {now, outcome, retry, limit index, remaining, reset, escalation kind, number, until, violations,
--          blocks within the ban window, violations within the ban window, ba, bu, bl, na, nu}
-- Recent violations are kept as comma-separated times, oldest first: vt (since the last block, at
-- most BLOCK_AFTER), bt (for a ban, at most BAN_AFTER). bn is the latest block's number in the client's
-- run of blocks (a block within BAN_WINDOW of the previous one, ba, is the next of its run).
-- outcome 0 allowed 1 limited 2 blocked 3 banned; escalation kind 0 none 1 block 2 ban; until -1 = permanent.

local SLIDING = ${SLIDING}
local BLOCK_ENABLED = ${BLOCK_ENABLED}
local BLOCK_AFTER = ${BLOCK_AFTER}
local VIOLATION_WINDOW = ${VIOLATION_WINDOW}
local BLOCK_DURATION = ${BLOCK_DURATION}
local BLOCK_FACTOR = ${BLOCK_FACTOR}
local BLOCK_MAX = ${BLOCK_MAX}
local RELATIVE = ${RELATIVE}
local BAN_ENABLED = ${BAN_ENABLED}
local BAN_AFTER = ${BAN_AFTER}
local BAN_WINDOW = ${BAN_WINDOW}
local BAN_DURATION = ${BAN_DURATION}

local key = KEYS[1]
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local op = ARGV[2]

local NAMES = {'vt', 'bt', 'bn', 'ba', 'bu', 'bl', 'na', 'nu', 'lc', 'cr'}
local TIMES = {vt = true, bt = true}
local fields = {}
for i = 1, #NAMES do fields[i] = NAMES[i] end
local limits = 0
local cost = 1
if op == 'd' then
  limits = tonumber(ARGV[3])
  cost = tonumber(ARGV[3 + limits * 3 + 1]) or 1
  for i = 1, limits do fields[#NAMES + i] = ARGV[3 + (i - 1) * 3 + 1] end
end
local stored = redis.call('HMGET', key, unpack(fields))
local function parseTimes(text)
  local times = {}
  if text then
    for t in string.gmatch(text, '[^,]+') do times[#times + 1] = tonumber(t) end
  end
  return times
end
local s = {}
for i = 1, #NAMES do
  if TIMES[NAMES[i]] then s[NAMES[i]] = parseTimes(stored[i]) else s[NAMES[i]] = tonumber(stored[i]) or 0 end
end
local dirty = {}
local function set(name, value)
  s[name] = value
  dirty[#dirty + 1] = name
  if type(value) == 'table' then
    local parts = {}
    for i = 1, #value do parts[i] = string.format('%d', value[i]) end
    dirty[#dirty + 1] = table.concat(parts, ',')
  else
    dirty[#dirty + 1] = string.format('%d', value)
  end
end
local function addTime(times, keep)
  local added = {}
  local from = math.max(1, #times - keep + 2)
  for i = from, #times do added[#added + 1] = times[i] end
  added[#added + 1] = now
  return added
end
local function within(times, window)
  local count = 0
  for i = #times, 1, -1 do
    if now - times[i] < window then count = count + 1 else break end
  end
  return count
end
local function latest(times)
  if #times == 0 then return nil end
  return times[#times]
end

local function banned() return s.nu == -1 or s.nu > now end
local function blocksInRun()
  if s.bn > 0 and now - s.ba < BAN_WINDOW then return s.bn end
  return 0
end

local function result(outcome, retry, index, remaining, reset, kind, number, untilMs, violations)
  return {now, outcome, retry, index, remaining, reset, kind, number, untilMs, violations,
    blocksInRun(), within(s.bt, BAN_WINDOW), s.ba, s.bu, s.bl, s.na, s.nu}
end

local function save()
  if #dirty == 0 then return end
  redis.call('HSET', key, unpack(dirty))
  local at = s.lc + s.cr
  if latest(s.vt) then at = math.max(at, latest(s.vt) + VIOLATION_WINDOW) end
  if latest(s.bt) then at = math.max(at, latest(s.bt) + BAN_WINDOW) end
  if s.bn > 0 then at = math.max(at, s.ba + BAN_WINDOW) end
  at = math.max(at, s.bu)
  if s.nu == -1 then
    redis.call('PERSIST', key)
  else
    at = math.max(at, s.nu)
    redis.call('PEXPIRE', key, math.max(1, at - now))
  end
end

local function block(length)
  local number = blocksInRun() + 1
  set('bn', number)
  if length < 0 then
    length = BLOCK_DURATION * (BLOCK_FACTOR ^ (number - 1))
    if length >= BLOCK_MAX then length = BLOCK_MAX else length = math.max(1, math.floor(length)) end
  end
  set('bl', length)
  set('ba', now)
  set('bu', now + length)
  set('vt', {})
  return number
end

local function ban(length)
  set('na', now)
  if length < 0 then set('nu', -1) else set('nu', now + length) end
  set('vt', {})
end

if op == 'b' then
  block(tonumber(ARGV[3]))
  save()
  return result(2, 0, -1, 0, 0, 0, 0, 0, 0)
elseif op == 'n' then
  ban(tonumber(ARGV[3]))
  save()
  return result(3, 0, -1, 0, 0, 0, 0, 0, 0)
elseif op == 's' then
  if stored[1] == false and redis.call('EXISTS', key) == 0 then return {now, -1} end
  return result(0, 0, -1, 0, 0, 0, 0, 0, 0)
end

-- decide
if banned() then
  local retry = -1
  if s.nu ~= -1 then retry = s.nu - now end
  return result(3, retry, -1, 0, 0, 0, 0, 0, 0)
end
if s.bu > now then
  if RELATIVE == 1 then
    set('bu', now + s.bl)
    save()
  end
  return result(2, s.bu - now, -1, 0, 0, 0, 0, 0, 0)
end
if limits == 0 then
  return result(0, -1, -1, 0, 0, 0, 0, 0, 0)
end

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
  local count = tonumber(ARGV[3 + (i - 1) * 3 + 2])
  local window = tonumber(ARGV[3 + (i - 1) * 3 + 3])
  if window > longest then longest = window end
  local index = math.floor(now / window)
  local prev, cur = 0, 0
  local value = stored[#NAMES + i]
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
      if r > retry then
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

if not rejected then
  for i = 1, limits do
    dirty[#dirty + 1] = ARGV[3 + (i - 1) * 3 + 1]
    dirty[#dirty + 1] = string.format('%d:%d:%d', indexes[i], previous[i], current[i] + cost)
  end
  if now > s.lc then set('lc', now) end
  local keep = longest
  if SLIDING == 1 then keep = 2 * longest end
  if keep > s.cr then set('cr', keep) end
  save()
  return result(0, -1, tightest, tightestRemaining, tightestReset, 0, 0, 0, 0)
end

-- a violation
retry = math.max(1, retry)
if BLOCK_ENABLED == 0 and BAN_ENABLED == 0 then
  return result(1, retry, violated, 0, retry, 0, 0, 0, 0)
end
if s.na ~= 0 then
  -- a timed ban has lapsed: the client starts again with a clean history
  set('na', 0)
  set('nu', 0)
  set('bt', {})
  set('bn', 0)
  set('vt', {})
end
set('bt', addTime(s.bt, BAN_AFTER))
set('vt', addTime(s.vt, BLOCK_AFTER))
local violations = within(s.bt, BAN_WINDOW)
if BAN_ENABLED == 1 and violations >= BAN_AFTER then
  ban(BAN_DURATION)
  save()
  local banRetry = -1
  if s.nu ~= -1 then banRetry = s.nu - now end
  return result(3, banRetry, -1, 0, 0, 2, 1, s.nu, violations)
end
if BLOCK_ENABLED == 1 and within(s.vt, VIOLATION_WINDOW) >= BLOCK_AFTER then
  local number = block(-1)
  save()
  return result(2, s.bl, -1, 0, 0, 1, number, s.bu, violations)
end
save()
return result(1, retry, violated, 0, retry, 0, 0, 0, 0)
