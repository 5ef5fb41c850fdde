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
        let mut server = Self {
            child: None,
            port: free_port(),
            dir: Self::new_dir(),
            tls_ca: None,
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
