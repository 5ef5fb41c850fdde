//! The Lua scripts the Redis store runs: each keeps a write and its stream event, or a
//! rotation decision, atomic on the server.

/// Writes a revocation: the key (KEYS[1]) set to ARGV[2], expiring at ARGV[3] (ms); its
/// member in the shard's expiry index (KEYS[3], a sorted set by expiry, expired members
/// dropped); and its event in the shard's stream (KEYS[2], about ARGV[4] entries kept). The
/// three keys share the shard's hash tag. Returns 1 when written, 0 when not.
///
/// ARGV[1], the mode: `set`; `max` (a subject: the cutoff ARGV[5] never lowers an existing
/// one); `nx` (only if absent: a first use; the same value already there, its own first
/// attempt retried after a lost reply, answers 2 without a second event); `replay` (the
/// outbox after a failover: only if absent, or for a subject if its cutoff is higher).
pub(super) const WRITE: &str = r"
local mode = ARGV[1]
local old = nil
if mode ~= 'set' then old = redis.call('GET', KEYS[1]) end
if mode == 'nx' then
  if old == ARGV[2] then return 2 end
  if old then return 0 end
end
local value = ARGV[2]
if old and (mode == 'max' or mode == 'replay') then
  local c = tonumber(string.match(old, '^(%d+),'))
  local cutoff = tonumber(ARGV[5])
  if mode == 'replay' then
    if not (c and cutoff > 0 and c < cutoff) then return 0 end
  elseif c and c > cutoff then
    value = old
  end
end
redis.call('SET', KEYS[1], value, 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[3], 'GT', ARGV[3], KEYS[1])
local t = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('(%d', tonumber(t[1]) * 1000 - 60000))
if redis.call('PEXPIRETIME', KEYS[3]) < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[3], ARGV[3]) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'k', KEYS[1], 'v', value)
return 1
";

/// The rotation decision of `rotation.rs`, atomically over the session's record (a hash at
/// KEYS[1], which alone carries the session's hash tag). ARGV: presented id, proposed
/// successor id, now (ms), window (ms), keep-until (ms), successor signature (base64url or
/// empty). Answers `{'rotated'}`, `{'replayed', id, rotated_at_ms, signature}`,
/// `{'reused'}` or `{'ended'}`.
pub(super) const ROTATE: &str = r"
local function keep_until(at)
  local current = redis.call('PEXPIRETIME', KEYS[1])
  if current < 0 or current < tonumber(at) then redis.call('PEXPIREAT', KEYS[1], at) end
end
local r = redis.call('HMGET', KEYS[1], 'cur', 'prev', 'at', 'ended', 'sig')
if r[4] then
  if r[4] == ARGV[2] then return {'reused'} end
  return {'ended'}
end
if r[1] and r[1] == ARGV[2] then return {'rotated'} end
if (not r[1]) or r[1] == ARGV[1] then
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'prev', ARGV[1], 'at', ARGV[3], 'sig', ARGV[6])
  keep_until(ARGV[5])
  return {'rotated'}
end
local age = tonumber(ARGV[3]) - tonumber(r[3])
if age < 0 then age = 0 end
if r[2] == ARGV[1] and tonumber(ARGV[4]) > 0 and age <= tonumber(ARGV[4]) then
  return {'replayed', r[1], r[3], r[5] or ''}
end
redis.call('HSET', KEYS[1], 'ended', ARGV[2])
keep_until(ARGV[5])
return {'reused'}
";

/// Marks the session's record (KEYS[1]) ended by ARGV[2], kept until ARGV[1] (ms) at least.
pub(super) const END_SESSION: &str = r"
redis.call('HSET', KEYS[1], 'ended', ARGV[2])
local current = redis.call('PEXPIRETIME', KEYS[1])
if current < 0 or current < tonumber(ARGV[1]) then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return 1
";

/// Puts one session (ARGV[1] = id, ARGV[2] = its JSON) into a subject's registry hash
/// (KEYS[1]), dropping the entries expired at ARGV[4] (s), and keeps the hash until ARGV[3]
/// (ms) at least.
pub(super) const SESSION_PUT: &str = r"
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, s = pcall(cjson.decode, all[i + 1])
  if (not ok) or type(s) ~= 'table' or (tonumber(s.expires_at) or 0) < tonumber(ARGV[4]) then
    redis.call('HDEL', KEYS[1], all[i])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local current = redis.call('PEXPIRETIME', KEYS[1])
if current < 0 or current < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
return 1
";

/// Notes a refresh of session ARGV[1] in the hash KEYS[1]: last seen ARGV[2] and expiry
/// ARGV[3] (s, never lowered); an unknown session is added as ARGV[5] (JSON). Keeps the hash
/// until ARGV[4] (ms) at least.
pub(super) const SESSION_TOUCH: &str = r"
local v = redis.call('HGET', KEYS[1], ARGV[1])
local ok, s = false, nil
if v then ok, s = pcall(cjson.decode, v) end
if ok and type(s) == 'table' then
  if tonumber(ARGV[2]) > (tonumber(s.last_seen_at) or 0) then s.last_seen_at = tonumber(ARGV[2]) end
  if tonumber(ARGV[3]) > (tonumber(s.expires_at) or 0) then s.expires_at = tonumber(ARGV[3]) end
  v = cjson.encode(s)
else
  v = ARGV[5]
end
redis.call('HSET', KEYS[1], ARGV[1], v)
local current = redis.call('PEXPIRETIME', KEYS[1])
if current < 0 or current < tonumber(ARGV[4]) then redis.call('PEXPIREAT', KEYS[1], ARGV[4]) end
return 1
";
