//! Starts a real `redis-server` on a free loopback port (append-only file on, data in a
//! temporary directory) and stops it by its PID; optionally TLS-only, with a CA and a server
//! certificate generated at run time into that directory (deleted with it). Tests fail
//! loudly when the binary is missing: `scripts/test.sh` installs the Debian package
//! `redis-server` (built with TLS).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "redis")]
pub mod scenario;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    /// The generated CA's certificate (PEM) when the server speaks TLS only.
    tls_ca: Option<String>,
    /// More `redis-server` arguments (a Cluster node's).
    extra: Vec<String>,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RedisServer {
    fn new_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "authjwt-redis-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// With more `redis-server` arguments (later ones win: `--appendonly no` runs without
    /// persistence, so a restart comes back empty).
    pub fn start_with(extra: &[&str]) -> Self {
        let mut server = Self {
            child: None,
            port: free_port(),
            dir: Self::new_dir(),
            tls_ca: None,
            extra: extra.iter().map(|a| (*a).to_owned()).collect(),
        };
        server.spawn();
        server
    }

    /// A TLS-only server (no plain port) whose certificate, for `127.0.0.1` and `localhost`,
    /// is issued by a CA generated now.
    pub fn start_tls() -> Self {
        let dir = Self::new_dir();
        let (ca, cert, key) = generate_certificates(&["127.0.0.1", "localhost"]);
        std::fs::write(dir.join("server.pem"), cert).unwrap();
        std::fs::write(dir.join("server.key"), key).unwrap();
        let mut server = Self {
            child: None,
            port: free_port(),
            dir,
            tls_ca: Some(ca),
            extra: Vec::new(),
        };
        server.spawn();
        server
    }

    /// The PEM of the CA that issued a TLS server's certificate.
    pub fn ca_pem(&self) -> &str {
        self.tls_ca.as_deref().expect("a TLS server")
    }

    /// The data directory (deleted when the server is dropped).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls_ca.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}/", self.port)
    }

    /// The URL with an ACL user's name and password.
    pub fn url_as(&self, user: &str, password: &str) -> String {
        let scheme = if self.tls_ca.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://{user}:{password}@127.0.0.1:{}/", self.port)
    }

    fn spawn(&mut self) {
        let port = self.port.to_string();
        let mut cmd = Command::new("redis-server");
        if self.tls_ca.is_some() {
            cmd.args([
                "--port",
                "0",
                "--tls-port",
                &port,
                "--tls-auth-clients",
                "no",
            ])
            .arg("--tls-cert-file")
            .arg(self.dir.join("server.pem"))
            .arg("--tls-key-file")
            .arg(self.dir.join("server.key"));
        } else {
            cmd.args(["--port", &port]);
        }
        let child = cmd
            .args(["--bind", "127.0.0.1"])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test.sh installs the Debian package)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.tls_ca.is_some() {
                // Redis listens once its TLS context is set up: accepting means ready.
                if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                    return;
                }
            } else if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::{Read, Write};
                s.write_all(b"PING\r\n").unwrap();
                let mut buf = [0u8; 16];
                s.set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                if let Ok(n) = s.read(&mut buf)
                    && buf[..n].starts_with(b"+PONG")
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// Kills the server (SIGKILL, by PID), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Stops the process (SIGSTOP, by PID): it keeps its connections but answers nothing.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused process go on (SIGCONT, by PID).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("a running server").id();
        let status = Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Runs `redis-cli` against this (plain) server; its output.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli (Debian's redis-tools, installed with redis-server)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts the server again on the same port with the same data directory.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A CA, and a server certificate it issued for `names` (IP addresses or DNS names): the
/// CA's certificate, the server's certificate and the server's private key, in PEM.
pub fn generate_certificates(names: &[&str]) -> (String, String, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(
        DnType::CommonName,
        "authjwt test CA (generated at run time)",
    );
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let mut server =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    server
        .distinguished_name
        .push(DnType::CommonName, "authjwt test server");
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();
    (ca_cert.pem(), server_cert.pem(), server_key.serialize_pem())
}

/// A node as `CLUSTER NODES` lists it: id, port, its primary's id (`None` for a primary),
/// the slot ranges it serves.
pub type NodeLine = (String, u16, Option<String>, Vec<(u16, u16)>);

/// A Redis Cluster of real `redis-server` processes on free loopback ports (node timeout
/// 1 s, so a failover takes a few seconds), each node stopped by its PID when dropped.
pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// `primaries` primaries with `replicas` replicas each, slots spread by `redis-cli
    /// --cluster create`; returns once every node reports the cluster ok.
    pub fn start(primaries: usize, replicas: usize) -> Self {
        let mut nodes = Vec::new();
        for _ in 0..primaries * (1 + replicas) {
            let mut node = RedisServer {
                child: None,
                port: free_port(),
                dir: RedisServer::new_dir(),
                tls_ca: None,
                extra: Vec::new(),
            };
            node.extra = [
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "1000",
                "--cluster-port",
                &free_port().to_string(),
                // A replica takes over however long it was cut off from its primary.
                "--cluster-replica-validity-factor",
                "0",
                "--appendfsync",
                "everysec",
            ]
            .map(str::to_owned)
            .to_vec();
            node.spawn();
            nodes.push(node);
        }
        let addrs: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .output()
            .expect("redis-cli (Debian's redis-tools, installed with redis-server)");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let cluster = Self { nodes };
        cluster.wait_ok(Duration::from_secs(20));
        cluster
    }

    /// Waits until every running node reports `cluster_state:ok` and every running replica
    /// is in sync with its primary.
    pub fn wait_ok(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            let ok = self.nodes.iter().filter(|n| n.child.is_some()).all(|n| {
                let replication = n.cli(&["INFO", "replication"]);
                n.cli(&["CLUSTER", "INFO"]).contains("cluster_state:ok")
                    && (replication.contains("role:master")
                        || replication.contains("master_link_status:up"))
            });
            if ok {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the cluster did not become ok");
    }

    /// The seed URLs of every node.
    pub fn seeds(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    fn running(&self) -> &RedisServer {
        self.nodes
            .iter()
            .find(|n| n.child.is_some())
            .expect("a running node")
    }

    /// The slot of `key`.
    pub fn slot(&self, key: &str) -> u16 {
        self.running()
            .cli(&["CLUSTER", "KEYSLOT", key])
            .trim()
            .parse()
            .unwrap()
    }

    /// `(node id, port, primary id or None, slot ranges)` of every node, as a running node
    /// sees them.
    pub fn topology(&self) -> Vec<NodeLine> {
        self.running()
            .cli(&["CLUSTER", "NODES"])
            .lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split_whitespace().collect();
                if f.len() < 8 || f[2].contains("fail") {
                    return None;
                }
                let port = f[1].split(['@', ':']).nth(1)?.parse().ok()?;
                let primary = (f[3] != "-").then(|| f[3].to_owned());
                let ranges = f[8..]
                    .iter()
                    .filter(|r| !r.starts_with('['))
                    .filter_map(|r| match r.split_once('-') {
                        Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                        None => r.parse().ok().map(|s| (s, s)),
                    })
                    .collect();
                Some((f[0].to_owned(), port, primary, ranges))
            })
            .collect()
    }

    /// The index in `nodes` of the primary serving `slot`, and of its replicas.
    pub fn owner(&self, slot: u16) -> (usize, Vec<usize>) {
        let topology = self.topology();
        let (id, port, _, _) = topology
            .iter()
            .find(|(_, _, primary, ranges)| {
                primary.is_none() && ranges.iter().any(|(a, b)| (*a..=*b).contains(&slot))
            })
            .expect("a primary serves the slot");
        let index = |port: u16| self.nodes.iter().position(|n| n.port == port).unwrap();
        let replicas = topology
            .iter()
            .filter(|(_, _, primary, _)| primary.as_deref() == Some(id.as_str()))
            .map(|(_, port, _, _)| index(*port))
            .collect();
        (index(*port), replicas)
    }

    /// Moves `slot`, with its keys, to the primary `to` (an index in `nodes`), the way
    /// `redis-cli --cluster reshard` does: IMPORTING, MIGRATING, MIGRATE, then the owner
    /// announced to every node.
    pub fn move_slot(&self, slot: u16, to: usize) {
        let (from, _) = self.owner(slot);
        let id = |i: usize| self.nodes[i].cli(&["CLUSTER", "MYID"]).trim().to_owned();
        let (from_id, to_id) = (id(from), id(to));
        let s = slot.to_string();
        self.nodes[to].cli(&["CLUSTER", "SETSLOT", &s, "IMPORTING", &from_id]);
        self.nodes[from].cli(&["CLUSTER", "SETSLOT", &s, "MIGRATING", &to_id]);
        loop {
            let keys = self.nodes[from].cli(&["CLUSTER", "GETKEYSINSLOT", &s, "100"]);
            let keys: Vec<&str> = keys.lines().filter(|k| !k.is_empty()).collect();
            if keys.is_empty() {
                break;
            }
            let port = self.nodes[to].port.to_string();
            let mut args = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
            args.extend(keys);
            let out = self.nodes[from].cli(&args);
            assert!(out.trim() == "OK", "MIGRATE: {out}");
        }
        for node in self.nodes.iter().filter(|n| n.child.is_some()) {
            node.cli(&["CLUSTER", "SETSLOT", &s, "NODE", &to_id]);
        }
    }
}
