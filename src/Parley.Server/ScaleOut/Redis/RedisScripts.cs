namespace Parley.Server.ScaleOut.Redis;

/// <summary>
/// The Lua scripts of the scale-out, each one atomic on the Redis server. Keys (prefix <c>p</c>):
/// <list type="bullet">
/// <item><c>p nodes</c>: sorted set, node id → the time (Redis clock, ms) its heartbeat expires;</item>
/// <item><c>p route:{userId}</c>: set of the nodes where the user has at least one device;</item>
/// <item><c>p users:{nodeId}</c>: set of the users with a device on that node (for its goodbye or its reaping);</item>
/// <item><c>p busy:{userId}</c>: "{callId} {nodeId}" while the user is a party of a call held by that node;</item>
/// <item>channel <c>p node:{nodeId}</c>: envelopes for that node (frames, changes, frames for one device);
/// channel <c>p worker:{workerId}</c>: call frames for the calls of the node with that worker id (<see cref="Envelopes"/>).</item>
/// </list>
/// Scripts name their keys from ARGV, so they need one Redis (or a primary with replicas), not Redis Cluster.
/// </summary>
internal static class RedisScripts
{
    private const string Now = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    private const string AliveElsewhere =
        "local function alive_elsewhere(p, uid, self, now) " +
        "  for _, n in ipairs(redis.call('SMEMBERS', p .. 'route:' .. uid)) do " +
        "    if n ~= self then local s = redis.call('ZSCORE', p .. 'nodes', n) if s and tonumber(s) >= now then return true end end " +
        "  end return false end ";

    /// <summary>ARGV: prefix, node, user. Routes the user to the node; 1 when no other live node had them (they came online).</summary>
    public const string Attach = Now + AliveElsewhere +
        "local p, node, uid = ARGV[1], ARGV[2], ARGV[3] " +
        "local others = alive_elsewhere(p, uid, node, now) " +
        "redis.call('SADD', p .. 'route:' .. uid, node) redis.call('SADD', p .. 'users:' .. node, uid) " +
        "if others then return 0 end return 1";

    /// <summary>ARGV: prefix, node, user. Unroutes the user from the node; 1 when no other live node has them (they went offline).</summary>
    public const string Detach = Now + AliveElsewhere +
        "local p, node, uid = ARGV[1], ARGV[2], ARGV[3] " +
        "redis.call('SREM', p .. 'route:' .. uid, node) redis.call('SREM', p .. 'users:' .. node, uid) " +
        "if alive_elsewhere(p, uid, node, now) then return 0 end return 1";

    /// <summary>ARGV: prefix, users…. For each user, 1 when some live node has them, else 0.</summary>
    public const string Online = Now + AliveElsewhere +
        "local p = ARGV[1] local out = {} " +
        "for i = 2, #ARGV do if alive_elsewhere(p, ARGV[i], '', now) then out[#out + 1] = 1 else out[#out + 1] = 0 end end " +
        "return out";

    /// <summary>ARGV: prefix, node, ttl ms. Renews the node's heartbeat; 1 when it had expired or was reaped (its routes must be written again).</summary>
    public const string Heartbeat = Now +
        "local p, node, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]) " +
        "local prev = redis.call('ZSCORE', p .. 'nodes', node) " +
        "redis.call('ZADD', p .. 'nodes', now + ttl, node) " +
        "if prev and tonumber(prev) >= now then return 0 end return 1";

    private const string Forget =
        "local function forget(p, d, now, offline) " +
        "  redis.call('ZREM', p .. 'nodes', d) " +
        "  local key = p .. 'users:' .. d " +
        "  for _, uid in ipairs(redis.call('SMEMBERS', key)) do " +
        "    redis.call('SREM', p .. 'route:' .. uid, d) " +
        "    if not alive_elsewhere(p, uid, d, now) then offline[#offline + 1] = uid end " +
        "  end " +
        "  redis.call('DEL', key) end ";

    /// <summary>ARGV: prefix. Forgets up to 16 nodes whose heartbeat expired (each exactly once, whichever node runs it); returns the users who thereby went offline.</summary>
    public const string Reap = Now + AliveElsewhere + Forget +
        "local p = ARGV[1] local offline = {} " +
        "for _, d in ipairs(redis.call('ZRANGEBYSCORE', p .. 'nodes', '-inf', '(' .. now, 'LIMIT', 0, 16)) do forget(p, d, now, offline) end " +
        "return offline";

    /// <summary>ARGV: prefix, node. The node leaves (graceful stop); returns the users who thereby went offline.</summary>
    public const string Goodbye = Now + AliveElsewhere + Forget +
        "local p, node = ARGV[1], ARGV[2] local offline = {} forget(p, node, now, offline) return offline";

    /// <summary>ARGV: prefix, node, call id, caller, callee. Marks both in this call (<c>p busy:{user}</c> = "{callId} {node}") unless either is in a call of a live node; 1 when taken.</summary>
    public const string ClaimParties = Now +
        "local p, node, call = ARGV[1], ARGV[2], ARGV[3] " +
        "for i = 4, 5 do local v = redis.call('GET', p .. 'busy:' .. ARGV[i]) " +
        "  if v then local owner = string.match(v, ' (.+)$') local s = owner and redis.call('ZSCORE', p .. 'nodes', owner) " +
        "    if s and tonumber(s) >= now then return 0 end end end " +
        "for i = 4, 5 do redis.call('SET', p .. 'busy:' .. ARGV[i], call .. ' ' .. node) end return 1";

    /// <summary>ARGV: prefix, node, call id, users…. Frees the users still marked in this call.</summary>
    public const string ReleaseParties =
        "local p, node, call = ARGV[1], ARGV[2], ARGV[3] " +
        "for i = 4, #ARGV do local key = p .. 'busy:' .. ARGV[i] if redis.call('GET', key) == call .. ' ' .. node then redis.call('DEL', key) end end return 1";

    /// <summary>
    /// ARGV: prefix, this node, count, then per item either <c>F</c>, except connection id, frame bytes, user count,
    /// users… (a frame) or <c>C</c>, record bytes (a change, already encoded). Looks up the nodes of every frame's
    /// recipients and publishes one envelope per other node holding, in order, every record of the batch for that
    /// node: an F record per frame with the recipients on that node (<see cref="Envelopes"/>), and every change
    /// (for every other node known, live or not). Returns the number of envelopes published.
    /// </summary>
    public const string Publish =
        "local p, self, n = ARGV[1], ARGV[2], tonumber(ARGV[3]) local out = {} local i = 4 local everyone = nil " +
        "local function parts_of(node) local parts = out[node] if not parts then parts = {} out[node] = parts end return parts end " +
        "for k = 1, n do " +
        "  if ARGV[i] == 'C' then " +
        "    local record = ARGV[i + 1] i = i + 2 " +
        "    if not everyone then everyone = redis.call('ZRANGE', p .. 'nodes', 0, -1) end " +
        "    for _, node in ipairs(everyone) do if node ~= self then local parts = parts_of(node) parts[#parts + 1] = record end end " +
        "  else " +
        "    local except, frame, count = ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]) i = i + 4 " +
        "    local per = {} " +
        "    for j = i, i + count - 1 do local uid = ARGV[j] " +
        "      for _, node in ipairs(redis.call('SMEMBERS', p .. 'route:' .. uid)) do " +
        "        if node ~= self then local l = per[node] if not l then l = {} per[node] = l end l[#l + 1] = uid end " +
        "      end " +
        "    end " +
        "    i = i + count " +
        "    for node, uids in pairs(per) do " +
        "      local parts = parts_of(node) " +
        "      parts[#parts + 1] = 'F' .. except .. ' ' .. table.concat(uids, ',') .. ' ' .. #frame .. '\\n' .. frame " +
        "    end " +
        "  end " +
        "end " +
        "local sent = 0 " +
        "for node, parts in pairs(out) do redis.call('PUBLISH', p .. 'node:' .. node, table.concat(parts)) sent = sent + 1 end " +
        "return sent";
}
