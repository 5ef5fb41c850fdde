//! `GET /ws` over real sockets on 127.0.0.1: a WebSocket client (tokio-tungstenite) opens
//! the demo's socket with a login's cookies. Cross-site handshakes are refused with 403 and
//! handshakes without a token with 401, before anything is upgraded; trusted origins pass;
//! new posts are pushed; the server closes the socket with 4401 once the access token
//! expires (never before, within 5 s after), once its session logs out, and once another
//! device ends that session.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authjwt::claims::TokenType;
use authjwt::{Auth, Claims};
use authjwt_demo::{AppState, app};
use axum::Router;
use axum::body::Body;
use common::{Jar, logged_in, request, send, send_empty, serve, state, state_with};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The longest any single wait of these tests may take.
const WAIT: Duration = Duration::from_secs(10);

/// The demo with `state`, served on a free port, and its router for in-process requests.
async fn demo(state: AppState) -> (Router, SocketAddr) {
    let router = app(state);
    let addr = serve(router.clone()).await;
    (router, addr)
}

/// Opens `/ws` with these headers: the socket, or the refusal's status and JSON body.
async fn open(
    addr: SocketAddr,
    headers: &[(&'static str, String)],
) -> Result<Socket, (u16, Value)> {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    for (k, v) in headers {
        request.headers_mut().insert(*k, v.parse().unwrap());
    }
    match tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request)).await {
        Ok(Ok((socket, response))) => {
            assert_eq!(response.status(), 101);
            Ok(socket)
        }
        Ok(Err(tungstenite::Error::Http(response))) => {
            let body = response.body().clone().unwrap_or_default();
            let json: Value = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
            assert_eq!(
                json.as_object().unwrap().len(),
                2,
                "only detail and code: {json}"
            );
            assert!(
                json["detail"].as_str().is_some_and(|d| !d.is_empty()),
                "{json}"
            );
            Err((response.status().as_u16(), json))
        }
        other => panic!("neither an upgrade nor an HTTP refusal: {other:?}"),
    }
}

/// Asserts a refused handshake: this status and code.
#[track_caller]
fn assert_refused(opened: Result<Socket, (u16, Value)>, status: u16, code: &str, ctx: &str) {
    let (got, body) = opened.expect_err(ctx);
    assert_eq!(
        (got, body["code"].as_str()),
        (status, Some(code)),
        "{ctx}: {body}"
    );
}

/// The handshake of the demo's own page: its cookies, its Origin, `same-origin`.
fn page_headers(addr: SocketAddr, jar: &Jar) -> Vec<(&'static str, String)> {
    vec![
        ("cookie", jar.header()),
        ("origin", format!("http://{addr}")),
        ("sec-fetch-site", "same-origin".to_owned()),
    ]
}

/// The next data message: pings, pongs and close frames fail the test.
async fn next_event(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a message within the wait")
            .expect("the socket is open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// Waits until `deadline` for the server's close frame: its code and reason, and when it came.
async fn closed_by(socket: &mut Socket, deadline: SystemTime) -> (u16, String, SystemTime) {
    loop {
        let left = deadline
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        let message = tokio::time::timeout(left, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no close frame by {deadline:?}"));
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

/// `POST /posts` with the jar's cookies and CSRF header.
async fn post(app: &Router, jar: &Jar, title: Option<&str>) {
    let body = title.map_or_else(String::new, |t| json!({ "title": t }).to_string());
    let req = request("POST", "/posts", jar, Some("csrf_access_token"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let reply = send(app, req).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

fn access_claims(auth: &Auth, jar: &Jar) -> Claims {
    auth.verify_token(jar.get("access_token_cookie").unwrap(), TokenType::Access)
        .unwrap()
}

#[tokio::test]
async fn cross_site_handshakes_are_refused_before_the_upgrade() {
    let (app, addr) = demo(state()).await;
    let jar = logged_in(&app).await;
    let cookie = ("cookie", jar.header());
    let own = format!("http://{addr}");
    let hostile: [&[(&'static str, &str)]; 6] = [
        &[("origin", "http://evil.example")],
        &[("origin", "null")],
        &[("origin", "http://localhost:1")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        // Sec-Fetch-Site decides, whatever the Origin claims.
        &[("sec-fetch-site", "cross-site"), ("origin", &own)],
    ];
    for headers in hostile {
        let mut with: Vec<(&'static str, String)> = vec![cookie.clone()];
        with.extend(headers.iter().map(|(k, v)| (*k, (*v).to_owned())));
        assert_refused(
            open(addr, &with).await,
            403,
            "cross_site_request",
            &format!("{headers:?}"),
        );
        // Refused by the cross-origin layer, before any token is looked at.
        let anonymous: Vec<(&'static str, String)> =
            headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        assert_refused(
            open(addr, &anonymous).await,
            403,
            "cross_site_request",
            &format!("no cookie, {headers:?}"),
        );
    }
}

#[tokio::test]
async fn a_handshake_needs_a_valid_token_of_a_known_user() {
    let state = state();
    let auth = state.auth.clone();
    let (app, addr) = demo(state).await;
    let own = ("origin", format!("http://{addr}"));
    assert_refused(
        open(addr, std::slice::from_ref(&own)).await,
        401,
        "missing_token",
        "no cookie",
    );
    assert_refused(
        open(
            addr,
            &[
                own.clone(),
                ("cookie", "access_token_cookie=x.y.z".to_owned()),
            ],
        )
        .await,
        401,
        "invalid_token",
        "a forged cookie",
    );
    let stranger = auth.create_access_token("USER1").unwrap();
    let cookie = format!("access_token_cookie={}", stranger.as_str());
    assert_refused(
        open(addr, &[own.clone(), ("cookie", cookie)]).await,
        401,
        "user_not_found",
        "a subject that is no user",
    );
    // The page's own handshake opens, with or without the browser's headers.
    let jar = logged_in(&app).await;
    let socket = open(addr, &page_headers(addr, &jar)).await.unwrap();
    drop(socket);
    let socket = open(addr, &[("cookie", jar.header())]).await.unwrap();
    drop(socket);
    // A GET that is no handshake: a JSON refusal, nothing upgraded.
    let reply = send_empty(&app, "GET", "/ws", &jar, None).await;
    reply.assert_error(400, "invalid_websocket_handshake");
}

#[tokio::test]
async fn a_trusted_origin_may_open_the_socket_even_cross_site() {
    let (builder, _) = common::settings(900).builder().unwrap();
    let config = builder
        .trusted_origins(["http://partner.example"])
        .build()
        .unwrap();
    let (app, addr) = demo(AppState::new(Auth::new(config))).await;
    let jar = logged_in(&app).await;
    let partner = vec![
        ("cookie", jar.header()),
        ("origin", "http://partner.example".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
    ];
    let mut socket = open(addr, &partner).await.unwrap();
    post(&app, &jar, Some("for the partner")).await;
    assert_eq!(next_event(&mut socket).await["title"], "for the partner");
    let other = vec![
        ("cookie", jar.header()),
        ("origin", "http://other.example".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
    ];
    assert_refused(
        open(addr, &other).await,
        403,
        "cross_site_request",
        "an untrusted origin",
    );
}

#[tokio::test]
async fn every_new_post_is_pushed_to_every_socket() {
    let (app, addr) = demo(state()).await;
    let user1 = logged_in(&app).await;
    let reply = send(&app, common::login_request("/login", "user2", "password2")).await;
    let mut user2 = Jar::default();
    user2.update(&reply);
    let mut first = open(addr, &page_headers(addr, &user1)).await.unwrap();
    let mut second = open(addr, &page_headers(addr, &user2)).await.unwrap();

    post(&app, &user1, Some("Hello")).await;
    post(&app, &user2, None).await;
    for socket in [&mut first, &mut second] {
        assert_eq!(
            next_event(socket).await,
            json!({"type": "post", "title": "Hello", "user": "user1"})
        );
        assert_eq!(
            next_event(socket).await,
            json!({"type": "post", "title": null, "user": "user2"})
        );
    }
    // The client talking does not disturb the feed.
    first.send(Message::Text("hi".into())).await.unwrap();
    post(&app, &user2, Some("again")).await;
    assert_eq!(next_event(&mut first).await["title"], "again");
}

#[tokio::test]
async fn the_socket_closes_with_4401_once_the_access_token_expires_never_before() {
    let state = state_with(2);
    let auth = state.auth.clone();
    let (app, addr) = demo(state).await;
    let jar = logged_in(&app).await;
    let exp = UNIX_EPOCH + Duration::from_secs(access_claims(&auth, &jar).exp.unwrap());
    let mut socket = open(addr, &page_headers(addr, &jar)).await.unwrap();
    post(&app, &jar, Some("before the expiry")).await;
    assert_eq!(next_event(&mut socket).await["title"], "before the expiry");

    let (code, reason, at) = closed_by(&mut socket, exp + Duration::from_secs(5)).await;
    assert_eq!((code, reason.as_str()), (4401, "token_expired"));
    assert!(
        at >= exp,
        "closed {:?} before the expiry",
        exp.duration_since(at).unwrap_or_default()
    );
}

#[tokio::test]
async fn logout_closes_that_sessions_socket_with_4401_and_no_other() {
    let (app, addr) = demo(state()).await;
    let leaving = logged_in(&app).await;
    let staying = logged_in(&app).await;
    let mut gone = open(addr, &page_headers(addr, &leaving)).await.unwrap();
    let mut kept = open(addr, &page_headers(addr, &staying)).await.unwrap();

    let reply = send_empty(&app, "POST", "/logout", &leaving, Some("csrf_access_token")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let deadline = SystemTime::now() + Duration::from_secs(5);
    let (code, reason, _) = closed_by(&mut gone, deadline).await;
    assert_eq!((code, reason.as_str()), (4401, "token_revoked"));

    // The other session's socket goes on, and the ended one cannot open another.
    post(&app, &staying, Some("still here")).await;
    assert_eq!(next_event(&mut kept).await["title"], "still here");
    assert_refused(
        open(addr, &page_headers(addr, &leaving)).await,
        401,
        "token_revoked",
        "the logged-out session",
    );
}

#[tokio::test]
async fn a_session_ended_from_another_device_closes_its_socket() {
    let (app, addr) = demo(state()).await;
    let phone = logged_in(&app).await;
    let laptop = logged_in(&app).await;
    let mut socket = open(addr, &page_headers(addr, &phone)).await.unwrap();

    // The laptop lists the sessions and ends the phone's (`DELETE /sessions/{id}`).
    let listed = send_empty(&app, "GET", "/sessions", &laptop, None).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let sessions = listed.json()["sessions"].as_array().unwrap().clone();
    let others: Vec<&Value> = sessions.iter().filter(|s| s["current"] == false).collect();
    assert_eq!(others.len(), 1, "{sessions:?}");
    let path = format!("/sessions/{}", others[0]["id"].as_str().unwrap());
    let ended = send_empty(&app, "DELETE", &path, &laptop, Some("csrf_access_token")).await;
    assert_eq!(ended.status, 200, "{}", ended.text());

    let deadline = SystemTime::now() + Duration::from_secs(5);
    let (code, reason, _) = closed_by(&mut socket, deadline).await;
    assert_eq!((code, reason.as_str()), (4401, "token_revoked"));
}
