-- Floodgate: what the store holds of one client's escalation state, and the time it was read at.
-- KEYS[1]  the client's hash, <prefix>{<client>}
-- ARGV[1]  the time in epoch ms, or -1 to take it from the server (TIME)
-- Returns {now} when the store holds nothing of the client, else {now, ver, vt, bt, bn, ba, bu, bl, na, nu}
-- (absent fields nil: a client with only counters).
local key = KEYS[1]
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local e = redis.call('HMGET', key, 'ver', 'vt', 'bt', 'bn', 'ba', 'bu', 'bl', 'na', 'nu')
if not e[1] and redis.call('EXISTS', key) == 0 then
  return {now}
end
return {now, e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9]}
