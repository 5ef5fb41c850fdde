//! Drives `examples/actix_ws.rs` over real sockets on 127.0.0.1: a WebSocket client
//! (tokio-tungstenite) opens `/ws` with the login's cookies. Another site's handshake is
//! refused with 403 before the upgrade, a handshake without a token with 401; the socket
//! echoes, and the server closes it with 4401 once the access token expires (never before)
//! or once its session logs out (other sessions' sockets stay open).
#![cfg(feature = "actix-ws")]
#![allow(clippy::unwrap_used)]

#[allow(
    dead_code,
    unreachable_pub,
    reason = "the example is a binary of its own: its main and pub items are not used here"
)]
#[path = "../examples/actix_ws.rs"]
mod example;

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use authjwt::claims::TokenType;
use authjwt::{Auth, Claims};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The longest any wait of these tests may take.
const DEADLINE: Duration = Duration::from_secs(10);

/// Serves the example's app on a free port with access tokens of `access`.
fn serve(access: Duration) -> (SocketAddr, Auth) {
    let auth = example::auth(access).unwrap();
    let shared = auth.clone();
    let server = actix_web::HttpServer::new(move || example::app(shared.clone()))
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (addr, auth)
}

/// A browser's session: the four cookies of a login.
struct Session {
    cookies: Vec<(String, String)>,
}

impl Session {
    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn get(&self, name: &str) -> &str {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 exchange (`Connection: close`): the status and the response head.
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, stream.read_to_end(&mut out))
        .await
        .expect("an answer within the deadline")
        .unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

async fn login(addr: SocketAddr, user: &str, password: &str) -> Session {
    let body = serde_json::json!({"username": user, "password": password}).to_string();
    let (status, head) = http(
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(status, 200, "{head}");
    let cookies: Vec<(String, String)> = head
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .filter_map(|c| c.split(';').next()?.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(cookies.len(), 4, "{head}");
    Session { cookies }
}

/// Opens `/ws` with `headers`; the refusal's status and JSON body when it is refused.
async fn open(
    addr: SocketAddr,
    headers: &[(&'static str, String)],
) -> Result<Socket, (u16, serde_json::Value)> {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    for (k, v) in headers {
        request.headers_mut().insert(*k, v.parse().unwrap());
    }
    match tokio::time::timeout(DEADLINE, tokio_tungstenite::connect_async(request)).await {
        Ok(Ok((socket, response))) => {
            assert_eq!(response.status(), 101);
            Ok(socket)
        }
        Ok(Err(tungstenite::Error::Http(response))) => {
            let body = response.body().clone().unwrap_or_default();
            let json = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
            Err((response.status().as_u16(), json))
        }
        other => panic!("neither an upgrade nor an HTTP refusal: {other:?}"),
    }
}

/// The handshake headers of the example's own page.
fn same_site(addr: SocketAddr, session: &Session) -> Vec<(&'static str, String)> {
    vec![
        ("cookie", session.header()),
        ("origin", format!("http://{addr}")),
        ("sec-fetch-site", "same-origin".to_owned()),
    ]
}

/// Sends `text` and expects the echo.
async fn echo(socket: &mut Socket, text: &str) {
    socket.send(Message::Text(text.into())).await.unwrap();
    let reply = tokio::time::timeout(DEADLINE, socket.next())
        .await
        .expect("an echo within the deadline")
        .unwrap()
        .unwrap();
    assert_eq!(reply, Message::Text(format!("user1: {text}").into()));
}

/// Waits for the server's close frame: (code, reason, when it arrived).
async fn closed(socket: &mut Socket) -> (u16, String, SystemTime) {
    let until = Instant::now() + DEADLINE;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(left, socket.next())
            .await
            .expect("a close frame within the deadline");
        match message {
            Some(Ok(Message::Close(Some(frame)))) => {
                return (
                    u16::from(frame.code),
                    frame.reason.to_string(),
                    SystemTime::now(),
                );
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

fn access_claims(auth: &Auth, session: &Session) -> Claims {
    auth.verify_token(session.get("access_token_cookie"), TokenType::Access)
        .unwrap()
}

#[actix_web::test]
async fn only_the_site_itself_opens_the_socket_of_a_logged_in_user() {
    let (addr, _auth) = serve(Duration::from_secs(900));
    let session = login(addr, "user1", "password1").await;
    let cookie = ("cookie", session.header());

    let hostile = [
        ("origin", "https://evil.example".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
    ];
    for header in hostile {
        let refused = open(addr, &[cookie.clone(), header.clone()]).await;
        let (status, body) = refused.expect_err("refused");
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("cross_site_request")),
            "{header:?}"
        );
        assert!(body["detail"].is_string());
    }
    // No cookie: nothing to hijack, and nothing upgraded either.
    let (status, body) = open(addr, &[("origin", format!("http://{addr}"))])
        .await
        .expect_err("refused");
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("missing_token"))
    );

    let mut socket = open(addr, &same_site(addr, &session)).await.unwrap();
    echo(&mut socket, "hello").await;
    socket.close(None).await.unwrap();
}

#[actix_web::test]
async fn the_socket_closes_with_4401_when_the_access_token_expires_never_before() {
    let (addr, auth) = serve(Duration::from_secs(2));
    let session = login(addr, "user1", "password1").await;
    let exp = UNIX_EPOCH + Duration::from_secs(access_claims(&auth, &session).exp.unwrap());
    let mut socket = open(addr, &same_site(addr, &session)).await.unwrap();
    echo(&mut socket, "still here").await;
    let (code, reason, at) = closed(&mut socket).await;
    assert_eq!((code, reason.as_str()), (4401, "token_expired"));
    assert!(
        at >= exp,
        "closed {:?} before the expiry",
        exp.duration_since(at)
    );
}

#[actix_web::test]
async fn logout_closes_that_sessions_socket_and_no_other() {
    let (addr, _auth) = serve(Duration::from_secs(900));
    let first = login(addr, "user1", "password1").await;
    let second = login(addr, "user1", "password1").await;
    let mut leaving = open(addr, &same_site(addr, &first)).await.unwrap();
    let mut staying = open(addr, &same_site(addr, &second)).await.unwrap();
    echo(&mut leaving, "one").await;

    let cookie = first.header();
    let csrf = first.get("csrf_access_token");
    let (status, head) = http(
        addr,
        "POST",
        "/logout",
        &[("Cookie", &cookie), ("X-CSRF-TOKEN", csrf)],
        "",
    )
    .await;
    assert_eq!(status, 200, "{head}");

    let (code, reason, _) = closed(&mut leaving).await;
    assert_eq!((code, reason.as_str()), (4401, "token_revoked"));
    echo(&mut staying, "two").await;
    // The logged-out session cannot open a new one either.
    let (status, body) = open(addr, &same_site(addr, &first))
        .await
        .expect_err("refused");
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("token_revoked"))
    );
}
