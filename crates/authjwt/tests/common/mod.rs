//! Framework-neutral support for the HTTP behaviour matrix.
//!
//! A framework adapter's test file (`tests/axum_matrix.rs`, `tests/actix_matrix.rs`)
//! implements [`AppFactory`] by mounting the route contract documented at the top of
//! [`matrix`] and then expands `behaviour_matrix!(TheFactory, its_test_attribute)` (or
//! `behaviour_matrix!(TheFactory, its_test_attribute, parallel: a_multi_threaded_one)`, for
//! the cases that race requests).
//! Everything else (requests, cookie jar, forged tokens, assertions) lives here, so both
//! adapters are held to exactly the same expectations.
//!
//! A new adapter file needs: `mod common;`, a `TestApp` whose `send` drives the framework's
//! service in-process (axum: `tower::ServiceExt::oneshot`) and whose `send_all` runs
//! requests in tasks of their own, an `AppFactory` mounting the
//! contract, `#![allow(clippy::unwrap_used)]` for its handlers, and the macro invocation.
//! Requests are `http::Request<Bytes>` with `Host: app.example` and `Content-Length` set by
//! [`Req::build`]; responses come back as `http::Response<Bytes>`.

// Every test binary that includes this module uses a different subset of it, and this is
// test code outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(dead_code, clippy::unwrap_used)]

pub(crate) mod matrix;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use authjwt::{
    Auth, AuthError, Claims, Config, ConfigBuilder, TokenLocation,
    claims::NoCustomClaims,
    error::ErrorResponder,
    user::{CurrentUser, UserLookup, UserLookupError},
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One application under test: it answers one request at a time.
pub(crate) trait TestApp {
    /// Sends `req` through the framework's full stack (routing, layers, extractors) and
    /// returns the response with its body collected.
    fn send(&self, req: Request<Bytes>) -> impl Future<Output = Response<Bytes>>;

    /// Sends every request at once, each in a task of its own on the test's runtime (so a
    /// multi-threaded runtime runs them in parallel), and returns the responses in order.
    fn send_all(&self, reqs: Vec<Request<Bytes>>) -> impl Future<Output = Vec<Response<Bytes>>>;
}

/// Builds an application mounting the route contract of [`matrix`] for one [`Auth`].
pub(crate) trait AppFactory {
    /// The application.
    type App: TestApp;
    /// Mounts every route of the contract; every handler that runs calls `hits.hit()`.
    fn build(auth: Auth, hits: Hits) -> Self::App;
}

/// Counts handler runs, so a case can prove that a rejected request never reached its handler.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hits(Arc<AtomicUsize>);

impl Hits {
    /// Records one handler run.
    pub(crate) fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// Handler runs so far.
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// The route contract: paths, and the marker header every handler adds when it runs.
pub(crate) mod routes {
    pub(crate) const LOGIN: &str = "/login";
    pub(crate) const LOGIN_FRESH: &str = "/login/fresh";
    pub(crate) const LOGIN_BODY: &str = "/login/body";
    pub(crate) const PROTECTED: &str = "/protected";
    pub(crate) const POSTS: &str = "/posts";
    pub(crate) const OPTIONAL: &str = "/optional";
    pub(crate) const REFRESH: &str = "/refresh";
    pub(crate) const FRESH: &str = "/fresh";
    pub(crate) const LOGOUT: &str = "/logout";
    pub(crate) const WEBHOOK: &str = "/webhook";
    pub(crate) const HEADER_ONLY: &str = "/header-only";
    pub(crate) const CUSTOM: &str = "/custom";
    pub(crate) const GROUP_A: &str = "/group/a";
    pub(crate) const GROUP_B: &str = "/group/b";
    pub(crate) const MANUAL: &str = "/manual";
    pub(crate) const VERIFY: &str = "/verify";
    pub(crate) const ME: &str = "/me";
    pub(crate) const ME_HOOK: &str = "/me/hook";
    pub(crate) const ADMIN: &str = "/admin";
    pub(crate) const STRICT_ORIGIN: &str = "/strict-origin";
    /// Response header naming the handler that produced a response.
    pub(crate) const HANDLER_HEADER: &str = "x-handler";
    /// The `Set-Cookie` the `/manual` handler adds before applying the auth cookies.
    pub(crate) const MANUAL_OWN_COOKIE: &str = "theme=dark; Path=/";
    /// Credentials `/login*` accept.
    pub(crate) const USER: &str = "test";
    pub(crate) const PASSWORD: &str = "test";

    /// The session lifecycle routes: one scope under the implicit-refresh layer, plain-text
    /// bodies, the handler-side `Auth` calls a login, a refresh and a logout make.
    pub(crate) mod session {
        use std::time::Duration;

        /// The scope every route below is mounted in.
        pub(crate) const SCOPE: &str = "/session";
        pub(crate) const LOGIN: &str = "/session/login";
        pub(crate) const PROTECTED: &str = "/session/protected";
        pub(crate) const PUBLIC: &str = "/session/public";
        pub(crate) const REFRESH: &str = "/session/refresh";
        pub(crate) const LOGOUT: &str = "/session/logout";
        pub(crate) const REVOKE_ALL: &str = "/session/revoke-all";
        pub(crate) const RACE: &str = "/session/race";
        /// `GET`: the caller's sessions as JSON ([`super::super::registry::list`]).
        pub(crate) const LIST: &str = "/session/list";
        /// `POST ?id=`: ends that session of the caller.
        pub(crate) const END: &str = "/session/end";
        /// `POST`: ends the caller's other sessions, answers how many.
        pub(crate) const END_OTHERS: &str = "/session/end-others";
        /// The subject `POST /session/login` logs in.
        pub(crate) const USER: &str = "user1";
        /// The window of the implicit-refresh layer over the scope.
        pub(crate) const IMPLICIT_REFRESH_WINDOW: Duration = Duration::from_secs(60);
    }
}

/// The bodies of the session-registry routes, written once for both adapters: each adapter's
/// handler extracts the access token (or the request's parts) and calls one of these.
pub(crate) mod registry {
    use authjwt::{Auth, AuthError, Authenticated, TokenPair, sessions::Login};
    use http::request::Parts;

    fn query<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
        parts.uri.query()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then_some(v)
        })
    }

    /// `POST /session/login[?remember=true|false]`: a login of `user1` recorded with the
    /// request's `User-Agent`.
    pub(crate) async fn login(auth: &Auth, parts: &Parts) -> Result<TokenPair, AuthError> {
        let mut login = Login::new(super::routes::session::USER);
        match query(parts, "remember") {
            Some("true") => login = login.remember(true),
            Some("false") => login = login.remember(false),
            _ => {}
        }
        if let Some(agent) = parts
            .headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
        {
            login = login.user_agent(agent);
        }
        auth.login(login).await
    }

    /// `GET /session/list`: `[{"id","current","user_agent","created_at","last_seen_at","expires_at"}]`.
    pub(crate) async fn list(auth: &Auth, caller: &Authenticated) -> Result<String, AuthError> {
        let sessions = auth.sessions(caller).await?;
        Ok(serde_json::to_string(&sessions).unwrap_or_default())
    }

    /// `POST /session/end?id=`: `ended`.
    pub(crate) async fn end(
        auth: &Auth,
        caller: &Authenticated,
        parts: &Parts,
    ) -> Result<String, AuthError> {
        auth.end_session(caller, query(parts, "id").unwrap_or_default())
            .await
            .map(|()| "ended".to_owned())
    }

    /// `POST /session/end-others`: the count.
    pub(crate) async fn end_others(
        auth: &Auth,
        caller: &Authenticated,
    ) -> Result<String, AuthError> {
        auth.end_other_sessions(caller).await.map(|n| n.to_string())
    }
}

/// The custom claims of `GET /custom`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Roles {
    pub(crate) roles: Vec<String>,
}

/// The user of `GET|POST /me` and `POST /me/hook`, loaded by [`TestUsers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TestUser {
    pub(crate) name: String,
    pub(crate) email: String,
}

/// The subjects [`TestUsers`] knows, matched byte for byte: the login's `test`, `alice`,
/// `bob`.
pub(crate) const KNOWN_USERS: &[&str] = &[routes::USER, "alice", "bob"];

/// The subject for which [`TestUsers`] fails as a database that cannot answer would.
pub(crate) const LOOKUP_DOWN: &str = "lookup-down";

/// The message of that failure: logged by the library, never sent to the client.
pub(crate) const LOOKUP_DOWN_MESSAGE: &str = "user database unreachable";

/// The user lookup of the contract: [`KNOWN_USERS`] by exact subject, unless deleted, an
/// error for [`LOOKUP_DOWN`], nobody else. Clones share their state: a case keeps one to
/// delete users and to count the lookups run (to prove that a refused token never reached
/// the lookup).
#[derive(Debug, Clone, Default)]
pub(crate) struct TestUsers {
    calls: Arc<AtomicUsize>,
    deleted: Arc<Mutex<Vec<String>>>,
}

impl TestUsers {
    /// Lookups run so far.
    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Deletes a user: from now on no lookup finds it.
    pub(crate) fn delete(&self, name: &str) {
        self.deleted.lock().unwrap().push(name.to_owned());
    }
}

impl UserLookup for TestUsers {
    type User = TestUser;
    type Claims = NoCustomClaims;

    async fn lookup(&self, claims: &Claims) -> Result<Option<TestUser>, UserLookupError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if claims.sub == LOOKUP_DOWN {
            return Err(UserLookupError::new(LOOKUP_DOWN_MESSAGE));
        }
        let deleted = self.deleted.lock().unwrap().contains(&claims.sub);
        Ok(KNOWN_USERS
            .iter()
            .find(|u| **u == claims.sub && !deleted)
            .map(|u| TestUser {
                name: (*u).to_owned(),
                email: format!("{u}@example.com"),
            }))
    }
}

/// The user of `GET /admin`: anyone whose token carries the `admin` role in its [`Roles`]
/// claims (a second user type, looked up from custom claims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TestAdmin {
    pub(crate) name: String,
}

/// The lookup of [`TestAdmin`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct TestAdmins;

impl UserLookup for TestAdmins {
    type User = TestAdmin;
    type Claims = Roles;

    async fn lookup(&self, claims: &Claims<Roles>) -> Result<Option<TestAdmin>, UserLookupError> {
        let admin = claims.custom.roles.iter().any(|r| r == "admin");
        Ok(admin.then(|| TestAdmin {
            name: claims.sub.clone(),
        }))
    }
}

/// [`base`] with the contract's two user lookups; `users` is kept by the case to count calls.
pub(crate) fn with_users(builder: ConfigBuilder, users: &TestUsers) -> ConfigBuilder {
    builder.user_lookup(users.clone()).user_lookup(TestAdmins)
}

/// The body of `/me` and `/me/hook`: the token's subject and location, and the user.
pub(crate) fn me_body(me: &CurrentUser<TestUser>) -> Value {
    serde_json::json!({
        "user": me.token.subject(),
        "location": me.token.location().to_string(),
        "name": me.name,
        "email": me.email,
    })
}

/// The body of `/admin`.
pub(crate) fn admin_body(admin: &CurrentUser<TestAdmin>) -> Value {
    serde_json::json!({ "user": admin.token.subject(), "admin": admin.name })
}

/// The body of `POST /login*`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LoginBody {
    pub(crate) username: String,
    pub(crate) password: String,
}

/// The body of `POST /verify`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct VerifyBody {
    pub(crate) token: String,
    /// `"access"` or `"refresh"`.
    #[serde(rename = "type")]
    pub(crate) token_type: authjwt::claims::TokenType,
}

/// A responder replacing the JSON body: `custom:<code>` as text/plain, status kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextResponder;

impl ErrorResponder for TextResponder {
    fn respond(&self, err: &AuthError) -> Response<Bytes> {
        let mut resp = Response::new(Bytes::from(format!("custom:{}", err.code())));
        *resp.status_mut() = err.status();
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain"),
        );
        resp
    }
}

/// 64 bytes: long enough for HS512 too, so "same secret, other algorithm" can be tested.
pub(crate) const SECRET: &[u8] =
    b"behaviour-matrix-secret-0123456789abcdef-0123456789abcdef-012345";
/// Another HS256 secret.
pub(crate) const OTHER_SECRET: &[u8] = b"another-secret-that-is-not-the-app-one-0123456789";
/// The `Host` every request carries unless a case says otherwise.
pub(crate) const HOST: &str = "app.example";

/// HS256 with [`SECRET`], tokens in cookies then the Authorization header, every other
/// setting at its default (Secure, SameSite=Lax, session cookies, CSRF and Origin checks on).
pub(crate) fn base() -> ConfigBuilder {
    Config::builder()
        .secret(SECRET)
        .token_location([TokenLocation::Cookies, TokenLocation::Headers])
}

/// The application, its [`Auth`] (to mint tokens) and its handler counter.
pub(crate) struct Harness<A> {
    pub(crate) auth: Auth,
    pub(crate) app: A,
    pub(crate) hits: Hits,
}

/// Builds a [`Harness`] from a configuration builder.
pub(crate) fn harness<F: AppFactory>(builder: ConfigBuilder) -> Harness<F::App> {
    let auth = Auth::new(builder.build().expect("test configuration must be valid"));
    let hits = Hits::default();
    let app = F::build(auth.clone(), hits.clone());
    Harness { auth, app, hits }
}

impl<A: TestApp> Harness<A> {
    /// Sends a request, noting whether a handler ran.
    pub(crate) async fn send(&self, req: Req) -> Sent {
        let before = self.hits.count();
        let resp = self.app.send(req.build()).await;
        Sent {
            ran: self.hits.count() > before,
            resp,
        }
    }

    /// Sends every request at once (see [`TestApp::send_all`]). A handler run cannot be
    /// told apart between concurrent requests, so `ran` says whether the handler marker is
    /// present.
    pub(crate) async fn send_all(&self, reqs: Vec<Req>) -> Vec<Sent> {
        let reqs = reqs.into_iter().map(Req::build).collect();
        self.app
            .send_all(reqs)
            .await
            .into_iter()
            .map(|resp| Sent {
                ran: resp.headers().contains_key(routes::HANDLER_HEADER),
                resp,
            })
            .collect()
    }

    /// Logs in through `path` (one of the `/login*` routes) and returns the cookies set.
    pub(crate) async fn login(&self, path: &str) -> Jar {
        let sent = self
            .send(post(path).json(&serde_json::json!({
                "username": routes::USER,
                "password": routes::PASSWORD,
            })))
            .await;
        sent.assert_ok(path);
        Jar::from_sent(&sent)
    }

    /// An access token for `sub` with the configured settings.
    pub(crate) fn access(&self, sub: &str) -> String {
        self.auth.create_access_token(sub).unwrap().into_string()
    }

    /// A refresh token for `sub` with the configured settings.
    pub(crate) fn refresh(&self, sub: &str) -> String {
        self.auth.create_refresh_token(sub).unwrap().into_string()
    }

    /// The cookies `set_access_cookies` / `set_refresh_cookies` would set for new tokens.
    pub(crate) fn jar_for(&self, sub: &str) -> Jar {
        let a = self.auth.create_access_token(sub).unwrap();
        let r = self.auth.create_refresh_token(sub).unwrap();
        let cookies = self
            .auth
            .set_access_cookies(&a)
            .and(self.auth.set_refresh_cookies(&r));
        Jar::from_values(cookies.header_values())
    }
}

/// A response and whether a handler ran while producing it.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) resp: Response<Bytes>,
    pub(crate) ran: bool,
}

impl Sent {
    pub(crate) fn status(&self) -> u16 {
        self.resp.status().as_u16()
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(self.resp.body()).into_owned()
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(self.resp.body())
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text()))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.resp
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("header value is not ASCII"))
    }

    /// Every `Set-Cookie` value, in order.
    pub(crate) fn set_cookies(&self) -> Vec<String> {
        self.resp
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The handler ran and answered 200; returns the JSON body.
    #[track_caller]
    pub(crate) fn assert_ok(&self, ctx: &str) -> Value {
        assert_eq!(self.status(), 200, "{ctx}: body {}", self.text());
        assert!(self.ran, "{ctx}: the handler did not run");
        assert!(
            self.header(routes::HANDLER_HEADER).is_some(),
            "{ctx}: no {} marker",
            routes::HANDLER_HEADER
        );
        self.json()
    }

    /// The handler ran, answered 200 and saw `user`.
    #[track_caller]
    pub(crate) fn assert_user(&self, user: &str, ctx: &str) -> Value {
        let v = self.assert_ok(ctx);
        assert_eq!(v["user"], user, "{ctx}: {v}");
        v
    }

    /// The request was refused with `status` and the JSON `code`, before any handler ran,
    /// without setting cookies.
    #[track_caller]
    pub(crate) fn assert_rejected(&self, status: u16, code: &str, ctx: &str) {
        assert_eq!(self.status(), status, "{ctx}: body {}", self.text());
        let v = self.json();
        assert_eq!(v["code"], code, "{ctx}: {v}");
        assert!(
            v["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{ctx}: no detail in {v}"
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{ctx}"
        );
        assert!(
            !self.ran,
            "{ctx}: the handler ran although the request was refused"
        );
        assert!(
            self.header(routes::HANDLER_HEADER).is_none(),
            "{ctx}: a handler marker is present on a rejection"
        );
        assert!(
            self.set_cookies().is_empty(),
            "{ctx}: a rejection set cookies: {:?}",
            self.set_cookies()
        );
    }
}

/// A framework-neutral request under construction.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    method: http::Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: Bytes,
    host: bool,
    peer: Option<SocketAddr>,
}

/// The TCP peer a request came from, as a request extension of the built `http::Request`:
/// each adapter's `TestApp` hands it to its framework the way a server would (axum:
/// `ConnectInfo<SocketAddr>`, actix-web: the request's `peer_addr`). Without it, the
/// framework knows no peer address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub(crate) SocketAddr);

pub(crate) fn request(method: http::Method, uri: &str) -> Req {
    Req {
        method,
        uri: uri.to_owned(),
        headers: Vec::new(),
        body: Bytes::new(),
        host: true,
        peer: None,
    }
}

pub(crate) fn get(uri: &str) -> Req {
    request(http::Method::GET, uri)
}

pub(crate) fn post(uri: &str) -> Req {
    request(http::Method::POST, uri)
}

pub(crate) fn delete(uri: &str) -> Req {
    request(http::Method::DELETE, uri)
}

impl Req {
    /// Adds a header (repeated names are sent as separate headers).
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub(crate) fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// One raw `Cookie` header.
    pub(crate) fn cookie(self, raw: impl Into<String>) -> Self {
        self.header("cookie", raw)
    }

    /// The jar's cookies, as one `Cookie` header.
    pub(crate) fn jar(self, jar: &Jar) -> Self {
        self.cookie(jar.header())
    }

    /// `X-CSRF-TOKEN`.
    pub(crate) fn csrf(self, value: &str) -> Self {
        self.header("x-csrf-token", value)
    }

    /// `Sec-Fetch-Site`.
    pub(crate) fn fetch_site(self, value: &str) -> Self {
        self.header("sec-fetch-site", value)
    }

    /// A body with its content type (and `Content-Length`, added when built).
    pub(crate) fn body(self, content_type: &str, body: impl Into<Bytes>) -> Self {
        let mut s = self.header("content-type", content_type);
        s.body = body.into();
        s
    }

    /// A JSON body.
    pub(crate) fn json(self, v: &Value) -> Self {
        self.body("application/json", serde_json::to_vec(v).unwrap())
    }

    /// An `application/x-www-form-urlencoded` body.
    pub(crate) fn form(self, body: &str) -> Self {
        self.body("application/x-www-form-urlencoded", body.to_owned())
    }

    /// Comes from this TCP peer ([`Peer`]).
    pub(crate) fn peer(mut self, addr: &str) -> Self {
        self.peer = Some(addr.parse().expect("a socket address like 127.0.0.1:40000"));
        self
    }

    /// Sends no `Host` header.
    pub(crate) fn without_host(mut self) -> Self {
        self.host = false;
        self
    }

    /// The `http::Request`: adds `Host: app.example` unless a host was given or removed,
    /// and `Content-Length` for a non-empty body, as a real client would.
    pub(crate) fn build(self) -> Request<Bytes> {
        let mut b = Request::builder().method(self.method).uri(&self.uri);
        let has = |name: &str| {
            self.headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        if self.host && !has("host") {
            b = b.header("host", HOST);
        }
        if !self.body.is_empty() && !has("content-length") {
            b = b.header("content-length", self.body.len().to_string());
        }
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        if let Some(peer) = self.peer {
            b = b.extension(Peer(peer));
        }
        b.body(self.body).unwrap()
    }
}

/// A minimal cookie jar: name → value, in the order first set; `Max-Age=0` deletes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Jar(Vec<(String, String)>);

impl Jar {
    pub(crate) fn from_sent(sent: &Sent) -> Self {
        let mut jar = Self::default();
        jar.update(sent);
        jar
    }

    pub(crate) fn from_values(values: &[HeaderValue]) -> Self {
        let mut jar = Self::default();
        for v in values {
            jar.apply(v.to_str().unwrap());
        }
        jar
    }

    /// Applies the `Set-Cookie` headers of a response.
    pub(crate) fn update(&mut self, sent: &Sent) {
        for c in sent.set_cookies() {
            self.apply(&c);
        }
    }

    fn apply(&mut self, set_cookie: &str) {
        let (pair, attrs) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
        let (name, value) = pair.split_once('=').expect("Set-Cookie without '='");
        let deleted = attrs.split(';').any(|a| a.trim() == "Max-Age=0");
        self.0.retain(|(n, _)| n != name);
        if !deleted {
            self.0.push((name.to_owned(), value.to_owned()));
        }
    }

    pub(crate) fn get(&self, name: &str) -> &str {
        self.try_get(name)
            .unwrap_or_else(|| panic!("no cookie {name} in {:?}", self.names()))
    }

    pub(crate) fn try_get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Only the named cookies.
    pub(crate) fn only(&self, names: &[&str]) -> Self {
        Self(
            self.0
                .iter()
                .filter(|(n, _)| names.contains(&n.as_str()))
                .cloned()
                .collect(),
        )
    }

    /// The `Cookie` header value.
    pub(crate) fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Default cookie names.
pub(crate) mod names {
    pub(crate) const ACCESS: &str = "access_token_cookie";
    pub(crate) const REFRESH: &str = "refresh_token_cookie";
    pub(crate) const ACCESS_CSRF: &str = "csrf_access_token";
    pub(crate) const REFRESH_CSRF: &str = "csrf_refresh_token";
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) fn b64(data: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// The decoded payload of a compact JWT.
pub(crate) fn payload(token: &str) -> Value {
    let p = token.split('.').nth(1).expect("not a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

/// The decoded header of a compact JWT.
pub(crate) fn jose_header(token: &str) -> Value {
    let h = token.split('.').next().expect("not a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
}

/// Signs `header.payload` with HMAC (`alg` picks the hash) and `secret`: forges tokens the
/// library's API refuses to create (future `nbf`, no `exp`, `crit`, arbitrary `kid`...).
pub(crate) fn forge_hmac(
    alg: aws_lc_rs::hmac::Algorithm,
    secret: &[u8],
    header: &Value,
    payload: &Value,
) -> String {
    let msg = format!(
        "{}.{}",
        b64(serde_json::to_vec(header).unwrap()),
        b64(serde_json::to_vec(payload).unwrap())
    );
    let key = aws_lc_rs::hmac::Key::new(alg, secret);
    let sig = aws_lc_rs::hmac::sign(&key, msg.as_bytes());
    format!("{msg}.{}", b64(sig.as_ref()))
}

/// HS256 with [`SECRET`]: what the default test app accepts, when the claims are right.
pub(crate) fn forge(header: &Value, payload: &Value) -> String {
    forge_hmac(aws_lc_rs::hmac::HMAC_SHA256, SECRET, header, payload)
}

/// Valid access-token claims for `sub`, expiring in ten minutes.
pub(crate) fn access_claims(sub: &str) -> Value {
    let now = now();
    serde_json::json!({
        "sub": sub,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "forged-jti",
        "type": "access",
        "fresh": false,
    })
}

/// Replaces the payload of `token`, keeping its header and signature.
pub(crate) fn with_payload(token: &str, payload: &Value) -> String {
    let mut parts = token.split('.');
    let h = parts.next().unwrap();
    let _ = parts.next().unwrap();
    let s = parts.next().unwrap();
    format!("{h}.{}.{s}", b64(serde_json::to_vec(payload).unwrap()))
}
