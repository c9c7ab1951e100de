-- Floodgate: a conditional write of one client's escalation state (a compare-and-set on its version).
-- The state is Java's (dev.floodgate.store.RuleBookStore decides it); this script keeps it as written.
-- KEYS[1]   the client's hash, <prefix>{<client>}
-- ARGV[1]   the time the state was decided at (epoch ms), ARGV[2] the version the caller read (0: none),
--           ARGV[3] the next version, ARGV[4] when the state stops mattering (ex; Long.MAX_VALUE: never),
--           ARGV[5..12] vt, bt, bn, ba, bu, bl, na, nu
-- The key then lives until the later of ARGV[4] and its counters' expiry (lc + cr), or for good.
-- Returns {0} when the hash holds another version (nothing written), {1} when written, {2} when written
-- and the restriction changed (ba, bu, na or nu differ from what the hash held).
local PERMANENT = '9223372036854775807'
local key = KEYS[1]
local old = redis.call('HMGET', key, 'ver', 'ba', 'bu', 'na', 'nu', 'lc', 'cr')
if (old[1] or '0') ~= ARGV[2] then
  return {0}
end
redis.call('HSET', key, 'ver', ARGV[3], 'ex', ARGV[4], 'vt', ARGV[5], 'bt', ARGV[6], 'bn', ARGV[7],
  'ba', ARGV[8], 'bu', ARGV[9], 'bl', ARGV[10], 'na', ARGV[11], 'nu', ARGV[12])
if ARGV[4] == PERMANENT then
  redis.call('PERSIST', key)
else
  local at = math.max((tonumber(old[6]) or 0) + (tonumber(old[7]) or 0), tonumber(ARGV[4]))
  redis.call('PEXPIRE', key, string.format('%d', math.max(1, at - tonumber(ARGV[1]))))
end
if (old[2] or '0') ~= ARGV[8] or (old[3] or '0') ~= ARGV[9] or (old[4] or '0') ~= ARGV[11]
    or (old[5] or '0') ~= ARGV[12] then
  return {2}
end
return {1}
