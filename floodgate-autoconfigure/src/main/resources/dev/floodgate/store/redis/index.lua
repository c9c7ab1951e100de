-- Floodgate: the index of restricted clients, three keys under one hash tag (one slot of a cluster):
-- KEYS[1] a sorted set scored by when each restriction ends, KEYS[2] a sorted set scored by when it
-- started (the listing's order, most recent first), KEYS[3] a hash of each client's entry as Java wrote
-- it: '<version>/<its escalation state>'. No rule lives here: Java computes the scores.
-- ARGV[1] the time in epoch ms, or -1 for the server's; ARGV[2] the operation:
--   i = index:  ARGV[3] the client key, ARGV[4] the end, ARGV[5] the start, ARGV[6] the version, ARGV[7] the entry
--   f = forget: ARGV[3] the client key
--   l = list:   ARGV[3] the most clients to return (0 = only the count)
-- Every operation first removes ended entries (a bounded number per call), so the index holds only
-- clients restricted now. i and f return the time; l returns {now, count, then per client: key, entry},
-- most recently restricted first.
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

if op == 'i' then
  removeEnded(100)
  local client = ARGV[3]
  local old = redis.call('HGET', info, client)
  -- instances index asynchronously: never let an older version replace a newer one
  local oldVersion = old and tonumber(string.match(old, '^(%d+)/') or '')
  if oldVersion and oldVersion >= tonumber(ARGV[6]) then return now end
  if tonumber(ARGV[4]) <= now then
    remove(client)
    return now
  end
  redis.call('ZADD', ends, ARGV[4], client)
  redis.call('ZADD', starts, ARGV[5], client)
  redis.call('HSET', info, client, ARGV[7])
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
  local entries = redis.call('HMGET', info, unpack(chunk))
  for i = 1, #chunk do
    if entries[i] then
      result[#result + 1] = chunk[i]
      result[#result + 1] = entries[i]
    end
  end
end
return result
