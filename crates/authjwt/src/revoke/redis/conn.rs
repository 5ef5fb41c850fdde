//! Connections: one node (`redis://`, or `rediss://` with feature `redis-tls`) or a Cluster
//! (feature `redis-cluster`), the CA a TLS connection trusts, and the checks made at connect.

use std::path::PathBuf;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::revoke::StoreError;

/// Where the store connects.
#[derive(Debug, Clone)]
pub(super) enum Target {
    /// One node (or a managed endpoint that fails over behind one address).
    Node(String),
    /// The seed nodes of a Redis Cluster (any reachable one is enough).
    Cluster(Vec<String>),
}

/// The certificate authorities a TLS connection trusts.
#[derive(Clone)]
pub(super) enum Ca {
    /// The system's roots.
    System,
    /// The CA certificates of a PEM document.
    Pem(Vec<u8>),
    /// A PEM file, read at connect.
    File(PathBuf),
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::System => f.write_str("System"),
            Self::Pem(pem) => write!(f, "Pem({} bytes)", pem.len()),
            Self::File(path) => write!(f, "File({})", path.display()),
        }
    }
}

impl Ca {
    /// The PEM bytes to trust, or `None` for the system's roots.
    fn pem(&self) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Self::System => Ok(None),
            Self::Pem(pem) => Ok(Some(pem.clone())),
            Self::File(path) => std::fs::read(path).map(Some).map_err(|e| {
                StoreError::new(format!(
                    "cannot read the Redis CA certificate file {}: {e}",
                    path.display()
                ))
            }),
        }
    }
}

/// A connection to one node or to a Cluster; commands go where their keys live.
#[derive(Clone)]
pub(super) enum Con {
    Node(ConnectionManager),
    #[cfg(feature = "redis-cluster")]
    Cluster(redis::cluster_async::ClusterConnection),
}

impl ConnectionLike for Con {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Node(c) => c.req_packed_command(cmd),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Node(c) => c.req_packed_commands(pipeline, offset, count),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Node(c) => c.get_db(),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(c) => c.get_db(),
        }
    }
}

impl Con {
    /// `WAIT replicas timeout` on the node that holds `key` (the one the write went to).
    /// Returns how many replicas acknowledged.
    pub(super) async fn wait(
        &mut self,
        key: &str,
        replicas: u32,
        timeout: Duration,
    ) -> redis::RedisResult<u32> {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let mut cmd = redis::cmd("WAIT");
        cmd.arg(replicas).arg(ms);
        match self {
            Self::Node(c) => {
                let _ = key;
                cmd.query_async(c).await
            }
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(c) => {
                use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
                let route = Route::with_key(key, SlotAddr::Master);
                let value = c
                    .route_command(
                        cmd,
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route)),
                    )
                    .await?;
                redis::from_redis_value(value).map_err(Into::into)
            }
        }
    }

    pub(super) fn is_cluster(&self) -> bool {
        !matches!(self, Self::Node(_))
    }
}

/// Whether a URL asks for TLS.
fn is_tls(url: &str) -> bool {
    url.get(..9)
        .is_some_and(|s| s.eq_ignore_ascii_case("rediss://"))
}

/// The URL without its user and password, for error messages.
pub(super) fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Installs aws-lc-rs as rustls's process-wide provider unless one was chosen already: with
/// two providers compiled into an application and none chosen, rustls panics at the first
/// TLS connection.
#[cfg(feature = "redis-tls")]
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: a provider is then chosen.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }
}

/// Makes connections of one kind, with one TLS setting.
pub(super) struct Connector {
    inner: Inner,
    tls: bool,
    /// What error messages name: the URL (or first seed) without its password.
    label: String,
}

enum Inner {
    Node(redis::Client),
    #[cfg(feature = "redis-cluster")]
    Cluster {
        seeds: Vec<String>,
        /// The CA to trust (TLS), `None` for the system's roots.
        root_cert: Option<Vec<u8>>,
    },
}

/// How long to wait for a TCP (and TLS) connection to be set up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

impl Connector {
    /// Checks the URLs and the TLS setting; nothing is connected yet.
    pub(super) fn new(target: &Target, ca: &Ca) -> Result<Self, StoreError> {
        let urls: Vec<&str> = match target {
            Target::Node(url) => vec![url.as_str()],
            Target::Cluster(seeds) => seeds.iter().map(String::as_str).collect(),
        };
        if urls.is_empty() {
            return Err(StoreError::new("no Redis Cluster seed node was given"));
        }
        let tls = urls.iter().any(|u| is_tls(u));
        if tls && !urls.iter().all(|u| is_tls(u)) {
            return Err(StoreError::new(
                "the Redis Cluster seed nodes mix rediss:// and redis://",
            ));
        }
        if tls && !cfg!(feature = "redis-tls") {
            return Err(StoreError::new(
                "rediss:// (TLS) asked for, but authjwt was built without its `redis-tls` feature",
            ));
        }
        if !tls && !matches!(ca, Ca::System) {
            return Err(StoreError::new(
                "a Redis CA certificate was given for a redis:// URL; use rediss:// for TLS",
            ));
        }
        #[cfg(feature = "redis-tls")]
        if tls {
            install_crypto_provider();
        }
        let invalid = |e: redis::RedisError| {
            StoreError::new(format!(
                "invalid Redis URL: {}",
                e.detail().unwrap_or(e.category())
            ))
        };
        // Read (and reported) before any connection is attempted.
        let root_cert = if tls { ca.pem()? } else { None };
        let inner = match target {
            Target::Node(url) => {
                Inner::Node(Self::node_client(url, tls, root_cert).map_err(invalid)?)
            }
            #[cfg(feature = "redis-cluster")]
            Target::Cluster(seeds) => {
                let inner = Inner::Cluster {
                    seeds: seeds.clone(),
                    root_cert,
                };
                // Checked now, so a bad seed list fails here rather than at the first connect.
                Self::cluster_builder(&inner, tls, CONNECT_TIMEOUT)
                    .build()
                    .map_err(invalid)?;
                inner
            }
            #[cfg(not(feature = "redis-cluster"))]
            Target::Cluster(_) => {
                return Err(StoreError::new(
                    "a Redis Cluster was asked for, but authjwt was built without its `redis-cluster` feature",
                ));
            }
        };
        let label = match target {
            Target::Node(_) => format!("Redis at {}", redacted(urls[0])),
            Target::Cluster(_) => format!(
                "the Redis Cluster (seeds {})",
                urls.iter()
                    .map(|u| redacted(u))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Ok(Self { inner, tls, label })
    }

    #[cfg(feature = "redis-cluster")]
    fn cluster_builder(
        inner: &Inner,
        tls: bool,
        response: Duration,
    ) -> redis::cluster::ClusterClientBuilder {
        let Inner::Cluster { seeds, root_cert } = inner else {
            return redis::cluster::ClusterClient::builder(Vec::<String>::new());
        };
        let builder = redis::cluster::ClusterClient::builder(seeds.iter().map(String::as_str))
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(response)
            .overall_response_timeout(Some(response + Duration::from_millis(500)))
            .retries(3)
            .min_retry_wait(20)
            .max_retry_wait(250);
        #[cfg(feature = "redis-tls")]
        if tls {
            return builder.certs(redis::TlsCertificates {
                client_tls: None,
                root_cert: root_cert.clone(),
            });
        }
        let _ = (tls, root_cert);
        builder
    }

    fn node_client(
        url: &str,
        tls: bool,
        root_cert: Option<Vec<u8>>,
    ) -> redis::RedisResult<redis::Client> {
        #[cfg(feature = "redis-tls")]
        if tls && root_cert.is_some() {
            return redis::Client::build_with_tls(
                url,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert,
                },
            );
        }
        let _ = (tls, root_cert);
        redis::Client::open(url)
    }

    /// A new connection whose replies may take up to `response` (a blocking read's block
    /// time included).
    pub(super) async fn connect(&self, response: Duration) -> Result<Con, StoreError> {
        let failed = |e: redis::RedisError| {
            let mut msg = format!("cannot connect to {}: {e}", self.label);
            if self.tls && msg.contains("certificate") {
                msg.push_str(
                    " (TLS: is the configured CA, or the system's roots, the issuer of the server's certificate, and does it name the host of the URL?)",
                );
            }
            StoreError::new(msg)
        };
        match &self.inner {
            Inner::Node(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(response))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(500));
                ConnectionManager::new_with_config(client.clone(), config)
                    .await
                    .map(Con::Node)
                    .map_err(failed)
            }
            #[cfg(feature = "redis-cluster")]
            #[cfg(feature = "redis-cluster")]
            inner @ Inner::Cluster { .. } => {
                let client = Self::cluster_builder(inner, self.tls, response)
                    .build()
                    .map_err(failed)?;
                client
                    .get_async_connection()
                    .await
                    .map(Con::Cluster)
                    .map_err(failed)
            }
        }
    }
}

/// The oldest Redis this store runs on: the scripts use `PEXPIRETIME` (7.0).
pub(super) const MIN_REDIS: (u32, u32) = (7, 0);

/// Refuses, at connect, a server older than [`MIN_REDIS`] (on a Cluster: any primary) with a
/// message that says so, instead of failing at the first refresh.
pub(super) async fn check_server_version(con: &mut Con) -> Result<(), StoreError> {
    let reply: Value = redis::cmd("INFO")
        .arg("server")
        .query_async(con)
        .await
        .map_err(|e| StoreError::new(format!("cannot read the Redis version: {e}")))?;
    let mut infos = Vec::new();
    strings(&reply, &mut infos);
    let versions: Vec<(u32, u32)> = infos.iter().filter_map(|i| server_version(i)).collect();
    let oldest = versions
        .iter()
        .min()
        .ok_or_else(|| StoreError::new("cannot read the Redis version from INFO server"))?;
    if *oldest < MIN_REDIS {
        return Err(StoreError::new(format!(
            "Redis {}.{} is too old: the revocation store needs Redis {}.{} or newer",
            oldest.0, oldest.1, MIN_REDIS.0, MIN_REDIS.1
        )));
    }
    Ok(())
}

/// Every string in a reply (a Cluster answers a map of node to reply).
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::BulkString(b) => out.push(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => out.push(s.clone()),
        Value::VerbatimString { text, .. } => out.push(text.clone()),
        Value::Array(items) | Value::Set(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Map(pairs) => pairs.iter().for_each(|(_, v)| strings(v, out)),
        _ => {}
    }
}

/// `(major, minor)` from the `redis_version:` line of `INFO server`.
pub(super) fn server_version(info: &str) -> Option<(u32, u32)> {
    let version = info
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))?
        .trim();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

#[cfg(test)]
mod tests {
    use super::{MIN_REDIS, redacted, server_version};

    #[test]
    fn the_server_version_is_read_from_info() {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n";
        assert_eq!(server_version(info), Some((7, 0)));
        assert_eq!(server_version("redis_version:6.2.14\r\n"), Some((6, 2)));
        assert!(server_version("redis_version:6.2.14\r\n").unwrap() < MIN_REDIS);
        assert_eq!(server_version("# Server\r\n"), None);
        assert_eq!(server_version("redis_version:x\r\n"), None);
    }

    #[test]
    fn error_messages_never_carry_the_password() {
        assert_eq!(
            redacted("rediss://app:s3cret@redis.internal:6380/0"),
            "rediss://…@redis.internal:6380/0"
        );
        assert_eq!(redacted("redis://127.0.0.1/"), "redis://127.0.0.1/");
    }
}
