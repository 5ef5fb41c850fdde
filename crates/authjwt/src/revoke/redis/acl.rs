//! The least a Redis ACL user needs to run the store.

/// Commands the store sends itself.
const CLIENT_COMMANDS: &[&str] = &[
    // Scripts: run by hash, loaded when a restarted server forgot them.
    "evalsha",
    "script|load",
    // The server version check at connect.
    "info",
    // Propagation, its checks, and the start-up load.
    "xread",
    "xinfo|stream",
    "zscan",
    // A bounded replica's start-up: the streams' recent entries, by the server's clock.
    "xrange",
    "time",
    "mget",
    // The previous release's keys, on a node it wrote to (only while its stream exists).
    "scan",
    // Rotation and session reads.
    "get",
    "hget",
    "hmget",
    "hvals",
    "hdel",
    // `RedisStoreBuilder::wait_for_replicas`.
    "wait",
    // A database other than 0 in the URL. (The client also sends `CLIENT SETINFO` at
    // connect, a Redis 7.2 command: refused or unknown, it is ignored.)
    "select",
    // A Cluster's topology.
    "cluster|slots",
    "cluster|shards",
];

/// Commands the store's scripts call (a script runs with its caller's permissions).
const SCRIPT_COMMANDS: &[&str] = &[
    "set",
    "zadd",
    "zremrangebyscore",
    "time",
    "pexpiretime",
    "pexpireat",
    "xadd",
    "hset",
    "hgetall",
];

/// The ACL rules (for `ACL SETUSER <user> on ><password> <rules>`) that let a user run the
/// store under `prefix` and do nothing else: its commands only, on keys under `prefix:` only,
/// no Pub/Sub channel. Redis 7.0 syntax.
///
/// ```
/// let rules = authjwt::redis::acl_rules("authjwt");
/// assert!(rules.starts_with("resetkeys ~authjwt:* resetchannels -@all "));
/// assert!(rules.contains(" +evalsha ") && rules.contains(" +xread "));
/// assert!(!rules.contains("+flushall") && !rules.contains("+keys"));
/// // redis-cli ACL SETUSER authjwt on '>a long random password' <rules>
/// ```
pub fn acl_rules(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 2);
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    let mut rules = format!("resetkeys ~{pattern}:* resetchannels -@all");
    let mut seen = Vec::new();
    for command in CLIENT_COMMANDS.iter().chain(SCRIPT_COMMANDS) {
        if !seen.contains(command) {
            seen.push(command);
            rules.push_str(" +");
            rules.push_str(command);
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::acl_rules;

    #[test]
    fn the_guide_shows_the_rules_as_they_are() {
        let guide = include_str!("../../../docs/redis.md");
        assert!(
            guide.contains(&acl_rules("authjwt")),
            "docs/redis.md is out of date"
        );
        assert!(acl_rules("a*b").starts_with("resetkeys ~a\\*b:* "));
    }
}
