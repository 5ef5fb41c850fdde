//! The demo binary behind a real nginx (Debian's `nginx`, installed by `scripts/test.sh`).
//!
//! nginx runs in the foreground as one process, with its own prefix, configuration and logs
//! in a temporary directory, on free ports of 127.0.0.1, in front of two demo binaries: one
//! with the default settings, one with `TRUSTED_PROXIES=127.0.0.1`. Both are stopped by
//! their PIDs when the test ends. The client plays a browser on plain http, which sends
//! `Origin` but no `Sec-Fetch-Site` (browsers send Fetch Metadata to secure origins only),
//! so the Origin is compared with the host.
//!
//! The test fails, never skips, when nginx is missing.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::raw_http;

/// A child process, killed by its PID on drop (only what this test started).
struct Running {
    child: Child,
}

impl Running {
    /// Stops the process and returns what it wrote on stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut logs = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut logs);
        }
        logs
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// nginx: `$NGINX`, or `nginx` on `PATH` or in the `sbin` directory beside a `bin` of `PATH`
/// (Debian installs it in `sbin`, which a user's `PATH` may lack).
fn nginx_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NGINX") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let sbins = dirs
        .iter()
        .filter(|d| d.ends_with("bin"))
        .filter_map(|d| d.parent().map(|p| p.join("sbin")));
    dirs.iter()
        .cloned()
        .chain(sbins)
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed: this test runs the demo behind a real nginx. \
                 Run scripts/test.sh (it installs Debian's nginx), or `apt-get install nginx`, \
                 or set NGINX to its path."
            )
        })
}

/// Starts the demo binary on a free port with `envs`; returns it and its address.
fn start_demo(envs: &[(&str, &str)]) -> (Running, SocketAddr) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authjwt-demo"));
    for var in [
        "JWT_SECRET_KEY",
        "JWT_ALGORITHM",
        "JWT_PRIVATE_KEY",
        "REDIS_URL",
        "TRUSTED_ORIGINS",
        "CORS_ALLOWED_ORIGINS",
        "TRUSTED_PROXIES",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("PORT", "0")
        .env("JWT_SECRET_KEY", common::SECRET)
        .env("RUST_LOG", "info,authjwt::rejection=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the demo binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let running = Running { child };
    let Some(addr) = line.trim().strip_prefix("authjwt demo: open http://") else {
        panic!("the demo did not start: {line:?}\n{}", running.stop());
    };
    (running, addr.parse().unwrap())
}

/// `n` distinct free ports of 127.0.0.1 (held together while chosen, then released).
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

/// One `server` block: listens on `port`, proxies to `upstream` with `directives`.
fn server(port: u16, upstream: SocketAddr, directives: &str) -> String {
    format!(
        "  server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      \
         proxy_pass http://{upstream};\n{directives}    }}\n  }}\n"
    )
}

/// Starts nginx in the foreground, one process, everything under `prefix`.
fn start_nginx(prefix: &Path, servers: &str, ports: &[u16]) -> Running {
    let p = prefix.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {p}/nginx.pid;\n\
         error_log {p}/error.log notice;\nevents {{ worker_connections 64; }}\nhttp {{\n  \
         access_log off;\n  client_body_temp_path {p}/client_body;\n  proxy_temp_path {p}/proxy;\n  \
         fastcgi_temp_path {p}/fastcgi;\n  uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n\
         {servers}}}\n"
    );
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(&conf_path)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("nginx could not be started: {e}"));
    let mut nginx = Running { child };
    // Ready when every port accepts; a bounded wait, reporting nginx's own log if it exits.
    for _ in 0..200 {
        if let Some(status) = nginx.child.try_wait().unwrap() {
            let log = std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default();
            panic!("nginx exited ({status}): {}\n{log}", nginx.stop());
        }
        if ports
            .iter()
            .all(|port| TcpStream::connect(("127.0.0.1", *port)).is_ok())
        {
            return nginx;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default();
    panic!("nginx did not listen on {ports:?}: {log}");
}

/// `POST /login` through nginx on `port`, as a browser on `http://127.0.0.1:<port>` sends it
/// (with `extra` headers); returns the status and body.
async fn login_through(port: u16, extra: &str) -> (u16, String) {
    login_from(port, &format!("http://127.0.0.1:{port}"), extra).await
}

/// `POST /login` through nginx on `port` from a page of `origin`.
async fn login_from(port: u16, origin: &str, extra: &str) -> (u16, String) {
    let public = format!("127.0.0.1:{port}");
    let body = r#"{"username":"user1","password":"password1"}"#;
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: {public}\r\nOrigin: {origin}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, _, reply) = raw_http(public.parse().unwrap(), &request).await;
    (status, reply)
}

#[tokio::test]
async fn the_demo_behind_nginx_needs_the_host_or_a_trusted_forwarded_host() {
    let prefix =
        TempDir(std::env::temp_dir().join(format!("authjwt-demo-nginx-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&prefix.0);
    std::fs::create_dir_all(&prefix.0).unwrap();

    let (plain_demo, plain_addr) = start_demo(&[]);
    let (trusting_demo, trusting_addr) = start_demo(&[("TRUSTED_PROXIES", "127.0.0.1")]);
    let ports = free_ports(4);
    let [rewriting, keeping_host, forwarding, forwarding_untrusted] = ports[..] else {
        unreachable!("four ports")
    };
    let forwarded = "      proxy_set_header X-Forwarded-Host $http_host;\n      \
                     proxy_set_header X-Forwarded-Proto $scheme;\n";
    let servers = [
        // nginx's default: Host becomes the upstream's address.
        server(rewriting, plain_addr, ""),
        server(
            keeping_host,
            plain_addr,
            "      proxy_set_header Host $http_host;\n",
        ),
        server(forwarding, trusting_addr, forwarded),
        server(forwarding_untrusted, plain_addr, forwarded),
    ]
    .concat();
    let nginx = start_nginx(&prefix.0, &servers, &ports);

    let (status, reply) = login_through(rewriting, "").await;
    assert_eq!(
        status, 403,
        "plain proxy_pass: Origin names nginx, Host the demo: {reply}"
    );
    assert!(reply.contains("\"code\":\"cross_site_request\""), "{reply}");

    let (status, reply) = login_through(keeping_host, "").await;
    assert_eq!(status, 200, "proxy_set_header Host $http_host: {reply}");

    let (status, reply) = login_through(forwarding, "").await;
    assert_eq!(
        status, 200,
        "Host rewritten, X-Forwarded-Host from a trusted proxy: {reply}"
    );
    // nginx sets X-Forwarded-Host, replacing what the client sent.
    let (status, reply) = login_through(forwarding, "X-Forwarded-Host: evil.example\r\n").await;
    assert_eq!(
        status, 200,
        "the client's X-Forwarded-Host replaced: {reply}"
    );

    // Another site's page still gets 403 through the trusted proxy.
    let (status, reply) = login_from(forwarding, "http://evil.example", "").await;
    assert_eq!(
        status, 403,
        "a foreign Origin behind a trusted proxy: {reply}"
    );

    let (status, reply) = login_through(forwarding_untrusted, "").await;
    assert_eq!(
        status, 403,
        "X-Forwarded-Host is ignored without TRUSTED_PROXIES: {reply}"
    );

    let nginx_log = nginx.stop();
    assert!(!nginx_log.contains("[emerg]"), "{nginx_log}");
    let logs = plain_demo.stop();
    // The refusal's log line names what was compared, never a token.
    let line_of = |logs: &str, origin: &str| {
        logs.lines()
            .find(|l| l.contains("cross-site") && l.contains(&format!("origin=\"{origin}\"")))
            .unwrap_or_else(|| panic!("no log line for the 403 from {origin}:\n{logs}"))
            .to_owned()
    };
    let refusal = line_of(&logs, &format!("http://127.0.0.1:{rewriting}"));
    assert!(
        refusal.contains(&format!("host=\"{plain_addr}\"")),
        "{refusal}"
    );
    assert!(refusal.contains("host_from=\"Host\""), "{refusal}");
    assert!(refusal.contains("sec_fetch_site=\"-\""), "{refusal}");
    line_of(&logs, &format!("http://127.0.0.1:{forwarding_untrusted}"));
    assert!(!logs.contains("eyJ"), "no token in the logs: {logs}");

    let logs = trusting_demo.stop();
    let refusal = line_of(&logs, "http://evil.example");
    assert!(
        refusal.contains(&format!("host=\"127.0.0.1:{forwarding}\"")),
        "{refusal}"
    );
    assert!(
        refusal.contains("host_from=\"X-Forwarded-Host from proxy 127.0.0.1\""),
        "{refusal}"
    );
    assert!(refusal.contains("scheme=\"http\""), "{refusal}");
    assert!(refusal.contains("peer=\"127.0.0.1\""), "{refusal}");
    assert!(!logs.contains("eyJ"), "no token in the logs: {logs}");
}

#[test]
fn trusted_proxies_come_from_the_environment() {
    use authjwt_demo::{Settings, SettingsError};
    let lookup =
        |value: &'static str| move |k: &str| (k == "TRUSTED_PROXIES").then(|| value.to_owned());
    let s = Settings::from_lookup(lookup(" 127.0.0.1 , 10.0.0.0/8,::1")).unwrap();
    let shown: Vec<String> = s.trusted_proxies.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["127.0.0.1", "10.0.0.0/8", "::1"]);
    assert!(s.config().is_ok());
    assert!(
        Settings::from_lookup(|_| None)
            .unwrap()
            .trusted_proxies
            .is_empty()
    );
    for bad in ["proxy.internal", "10.0.0.1/8", "127.0.0.1,", "10.0.0.0/33"] {
        let err = Settings::from_lookup(lookup(bad)).unwrap_err();
        assert!(matches!(err, SettingsError::Proxy(_)), "{bad}: {err}");
        assert!(err.to_string().starts_with("TRUSTED_PROXIES: "), "{err}");
    }
}
