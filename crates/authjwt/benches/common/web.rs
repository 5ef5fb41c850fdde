//! The HTTP path in process (feature `axum`): the demo's handlers behind the library's layers,
//! the demo's whole stack, and the floor, driven through `Router::oneshot` without sockets.

use std::collections::VecDeque;
use std::future::{Ready, ready};
use std::hint::black_box;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use authjwt::axum::AccessToken;
use authjwt::{Auth, sessions::LoginTokens};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, http::StatusCode};
use futures_util::future::Either;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::{Service, ServiceExt};

use super::block_on;

/// The demo's posts, as the demo keeps them (bounded `VecDeque`, oldest dropped first).
#[derive(Clone, Default)]
struct Posts(Arc<Mutex<VecDeque<Post>>>);

/// (author, title), as the demo's `Post`.
type Post = (String, Option<String>);

async fn protected(AccessToken(user): AccessToken) -> Json<Value> {
    let email = ["user1", "user2"]
        .iter()
        .position(|u| *u == user.subject())
        .map(|i| ["user1@example.com", "user2@example.com"][i]);
    Json(json!({
        "message": "Access granted",
        "username": user.subject(),
        "email": email,
    }))
}

async fn create_post(
    State(posts): State<Posts>,
    AccessToken(user): AccessToken,
    body: Bytes,
) -> Json<Value> {
    let title = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("title")?.as_str().map(str::to_owned))
        .map(|t| t.chars().take(200).collect());
    {
        let mut posts = posts.0.lock().unwrap_or_else(PoisonError::into_inner);
        if posts.len() >= 1000 {
            posts.pop_front();
        }
        posts.push_back((user.subject().to_owned(), title));
    }
    Json(json!({ "message": "Post created", "user": user.subject() }))
}

/// The demo's header-size layer (crates/authjwt-demo/src/limits.rs), as it is written there:
/// a plain tower service whose future is the inner one's, or a ready 431.
#[derive(Clone)]
struct HeaderLimit<S>(S);

impl<S: Service<Request, Response = Response>> Service<Request> for HeaderLimit<S> {
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let bytes: usize = req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum();
        if bytes > 16 * 1024 {
            let refused = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE.into_response();
            return Either::Left(ready(Ok(refused)));
        }
        Either::Right(self.0.call(req))
    }
}

/// `demo_stack: false`: the handlers behind authjwt's layers added with `Router::layer`, the
/// way the library's examples show. `true`: the demo's whole stack as `authjwt_demo::app`
/// builds it (crates/authjwt-demo/src/app.rs): the same layers plus the header limit, wrapped
/// around the routes as one service that is the outer router's fallback.
pub(crate) fn authjwt_router(auth: &Auth, demo_stack: bool) -> Router {
    let routes = Router::new()
        .route("/protected", get(protected))
        .route("/posts", post(create_post))
        .with_state(Posts::default());
    if demo_stack {
        let layered = tower::ServiceBuilder::new()
            .layer(tower::layer::layer_fn(HeaderLimit))
            .layer(auth.cross_origin_layer())
            .layer(auth.layer())
            .service(routes);
        Router::new().fallback_service(layered)
    } else {
        routes.layer(auth.layer()).layer(auth.cross_origin_layer())
    }
}

pub(crate) struct Case {
    pub(crate) method: &'static str,
    path: &'static str,
    cookie: String,
    csrf: Option<String>,
    pub(crate) status: StatusCode,
}

fn request(case: &Case) -> Request<Body> {
    let mut b = Request::builder()
        .method(case.method)
        .uri(case.path)
        .header("host", "127.0.0.1:8000")
        .header("cookie", case.cookie.as_str());
    if let Some(csrf) = &case.csrf {
        b = b
            .header("x-csrf-token", csrf.as_str())
            .header("content-type", "application/json");
    }
    b.body(Body::empty()).expect("a valid request")
}

/// One request through the router, body collected: returns the status.
pub(crate) fn call(router: &Router, case: &Case) -> StatusCode {
    block_on(async {
        let response = router
            .clone()
            .oneshot(request(case))
            .await
            .expect("infallible");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        black_box(body);
        status
    })
}

/// The three requests measured: GET /protected, POST /posts with CSRF, POST /posts without.
pub(crate) fn cases(login: &LoginTokens) -> [(&'static str, Case); 3] {
    let cookie = super::browser_cookies(login);
    let csrf = login.access.csrf().map(str::to_owned);
    [
        (
            "get_protected",
            Case {
                method: "GET",
                path: "/protected",
                cookie: cookie.clone(),
                csrf: None,
                status: StatusCode::OK,
            },
        ),
        (
            "post_posts",
            Case {
                method: "POST",
                path: "/posts",
                cookie: cookie.clone(),
                csrf,
                status: StatusCode::OK,
            },
        ),
        (
            "post_rejected_no_csrf",
            Case {
                method: "POST",
                path: "/posts",
                cookie,
                csrf: None,
                status: StatusCode::UNAUTHORIZED,
            },
        ),
    ]
}

/// The routers compared: authjwt's layers and extractor, the demo's whole stack, the floor
/// (which verifies the same tokens: same secret, same claims).
pub(crate) fn routers(auth: &Auth) -> [(&'static str, Router); 3] {
    [
        ("authjwt", authjwt_router(auth, false)),
        ("authjwt_demo_stack", authjwt_router(auth, true)),
        ("floor", authjwt_floor::router(super::SECRET)),
    ]
}
