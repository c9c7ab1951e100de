-- Floodgate: the index of restricted clients, a sorted set scored by when each restriction ends.
-- KEYS[1] the index; ARGV[1] the time in epoch ms or -1 for the server's; ARGV[2] the client key;
-- ARGV[3] when its restriction ends (-1 = never, or a relative block that may be extended).
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local score = tonumber(ARGV[3])
if score < 0 then score = '+inf' end
redis.call('ZADD', KEYS[1], score, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
return now
