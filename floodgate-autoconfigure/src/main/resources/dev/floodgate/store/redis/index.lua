-- Floodgate: the index of restricted clients, three keys under one hash tag (one slot of a cluster):
-- KEYS[1] a sorted set scored by when each restriction ends (+inf for a permanent ban),
-- KEYS[2] a sorted set scored by when it started (the listing's order, most recent first),
-- KEYS[3] a hash of each client's listing fields 'ba,bu,na,nu,blocks,violations' (as its hash had them).
-- ARGV[1] the time in epoch ms, or -1 for the server's; ARGV[2] the operation:
--   i = index:  ARGV[3] the client key, ARGV[4..9] ba, bu, na, nu (-1 = permanent), blocks, violations
--   f = forget: ARGV[3] the client key
--   l = list:   ARGV[3] the most clients to return (0 = only the count)
-- Every operation first removes ended entries (a bounded number per call), so the index holds only
-- clients restricted now. i and f return the time; l returns {now, count, then per client: key, ba, bu,
-- na, nu, blocks, violations}, most recently restricted first.
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local ends, starts, info = KEYS[1], KEYS[2], KEYS[3]
local op = ARGV[2]

local function removeEnded(most)
  local removed = 0
  while removed < most do
    local ended = redis.call('ZRANGEBYSCORE', ends, '-inf', now, 'LIMIT', 0, math.min(500, most - removed))
    if #ended == 0 then break end
    redis.call('ZREM', ends, unpack(ended))
    redis.call('ZREM', starts, unpack(ended))
    redis.call('HDEL', info, unpack(ended))
    removed = removed + #ended
  end
end

local function remove(client)
  redis.call('ZREM', ends, client)
  redis.call('ZREM', starts, client)
  redis.call('HDEL', info, client)
end

-- the latest end of a block and a ban, and when the restriction in force started
local function restriction(ba, bu, na, nu)
  if nu == -1 then return '+inf', math.huge, na end
  local banned = nu > now
  local until_ = math.max(bu, nu)
  if banned then return until_, until_, na end
  return until_, until_, ba
end

if op == 'i' then
  removeEnded(100)
  local client = ARGV[3]
  local ba, bu, na, nu = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  local score, untilValue, since = restriction(ba, bu, na, nu)
  local old = redis.call('HGET', info, client)
  if old then
    -- instances index asynchronously: never let an older write replace a newer one
    local oba, obu, ona, onu = string.match(old, '^(-?%d+),(-?%d+),(-?%d+),(-?%d+),')
    local _, oldUntil = restriction(tonumber(oba), tonumber(obu), tonumber(ona), tonumber(onu))
    local oldStart, newStart = math.max(tonumber(oba), tonumber(ona)), math.max(ba, na)
    if oldStart > newStart or (oldStart == newStart and oldUntil > untilValue) then return now end
  end
  if untilValue <= now then
    remove(client)
    return now
  end
  redis.call('ZADD', ends, score, client)
  redis.call('ZADD', starts, since, client)
  redis.call('HSET', info, client, table.concat({ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]}, ','))
  return now
elseif op == 'f' then
  remove(ARGV[3])
  return now
end

-- list
removeEnded(10000)
local result = {now, redis.call('ZCARD', ends)}
local most = tonumber(ARGV[3])
if most <= 0 then return result end
local clients = redis.call('ZREVRANGE', starts, 0, most - 1)
for from = 1, #clients, 500 do
  local chunk = {}
  for i = from, math.min(#clients, from + 499) do chunk[#chunk + 1] = clients[i] end
  local fields = redis.call('HMGET', info, unpack(chunk))
  for i = 1, #chunk do
    if fields[i] then
      result[#result + 1] = chunk[i]
      for value in string.gmatch(fields[i], '[^,]+') do result[#result + 1] = tonumber(value) end
    end
  end
end
return result
