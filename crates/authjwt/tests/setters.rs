//! The request-level behaviour of the configuration setters: each test builds an app with
//! one setting and sends the requests that show it (these were the setters' doc examples).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]
#![cfg(feature = "axum")]

#[tokio::test]
async fn csrf_methods() -> Result<(), Box<dyn std::error::Error>> {
    use authjwt::{Auth, Config, Protection, TokenLocation, claims::NoCustomClaims};
    let auth = Auth::new(
        Config::builder()
            .secret(b"an example secret of at least 32 bytes!")
            .token_location([TokenLocation::Cookies])
            .csrf_methods([http::Method::DELETE]) // POST no longer needs the header
            .build()?,
    );
    let token = auth.create_access_token("user1")?;
    let req = http::Request::post("/").header("cookie", format!("access_token_cookie={token}"));
    let (parts, _) = req.body(())?.into_parts();
    assert!(
        auth.authenticate::<NoCustomClaims>(&parts, &Protection::access())
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn access_csrf_header_name() -> Result<(), Box<dyn std::error::Error>> {
    use authjwt::{Auth, Config, NoCustomClaims, Protection, TokenLocation};
    let auth = Auth::new(
        Config::builder()
            .secret(b"an example secret of at least 32 bytes!")
            .token_location([TokenLocation::Cookies])
            .access_csrf_header_name("X-XSRF-TOKEN")
            .build()?,
    );
    let token = auth.create_access_token("user1")?;
    let req = http::Request::post("/").header("cookie", format!("access_token_cookie={token}"));
    let (parts, _) = req
        .header("x-xsrf-token", token.csrf().unwrap())
        .body(())?
        .into_parts();
    assert!(
        auth.authenticate::<NoCustomClaims>(&parts, &Protection::access())
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn refresh_csrf_header_name() -> Result<(), Box<dyn std::error::Error>> {
    use authjwt::{Auth, Config, NoCustomClaims, Protection, TokenLocation};
    let auth = Auth::new(
        Config::builder()
            .secret(b"an example secret of at least 32 bytes!")
            .token_location([TokenLocation::Cookies])
            .refresh_csrf_header_name("X-CSRF-REFRESH")
            .build()?,
    );
    let token = auth.create_refresh_token("user1")?;
    let (parts, _) = http::Request::post("/refresh")
        .header("cookie", format!("refresh_token_cookie={token}"))
        .header("x-csrf-refresh", token.csrf().unwrap())
        .body(())?
        .into_parts();
    assert!(
        auth.authenticate::<NoCustomClaims>(&parts, &Protection::refresh())
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn csrf_check_form() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "axum")]
    {
        use authjwt::tokens::IssuedToken;
        use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
        use axum::body::Body;
        use axum::{Router, routing::post};
        use tower::ServiceExt;
        fn form(cookie: &str, token: &IssuedToken, body: String) -> http::Request<Body> {
            http::Request::post("/")
                .header("cookie", format!("{cookie}={token}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", body.len())
                .body(body.into())
                .unwrap()
        }
        let auth = Auth::new(
            Config::builder()
                .secret(b"an example secret of at least 32 bytes!")
                .token_location([TokenLocation::Cookies])
                .csrf_check_form(true) // plain HTML forms cannot set a header
                .build()?,
        );
        let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
        let app = app.layer(auth.layer());
        let token = auth.create_access_token("user1")?;
        let body = format!("title=Hello&csrf_token={}", token.csrf().unwrap());
        let req = form("access_token_cookie", &token, body);
        assert_eq!(app.oneshot(req).await?.status(), 200);
    }
    Ok(())
}

#[tokio::test]
async fn access_csrf_field_name() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "axum")]
    {
        use authjwt::tokens::IssuedToken;
        use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
        use axum::body::Body;
        use axum::{Router, routing::post};
        use tower::ServiceExt;
        fn form(cookie: &str, token: &IssuedToken, body: String) -> http::Request<Body> {
            http::Request::post("/")
                .header("cookie", format!("{cookie}={token}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", body.len())
                .body(body.into())
                .unwrap()
        }
        let auth = Auth::new(
            Config::builder()
                .secret(b"an example secret of at least 32 bytes!")
                .token_location([TokenLocation::Cookies])
                .csrf_check_form(true)
                .access_csrf_field_name("_csrf")
                .build()?,
        );
        let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
        let app = app.layer(auth.layer());
        let token = auth.create_access_token("user1")?;
        let body = format!("_csrf={}", token.csrf().unwrap());
        let req = form("access_token_cookie", &token, body);
        assert_eq!(app.oneshot(req).await?.status(), 200);
    }
    Ok(())
}

#[tokio::test]
async fn refresh_csrf_field_name() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "axum")]
    {
        use authjwt::tokens::IssuedToken;
        use authjwt::{Auth, Config, TokenLocation, axum::RefreshToken};
        use axum::body::Body;
        use axum::{Router, routing::post};
        use tower::ServiceExt;
        fn form(cookie: &str, token: &IssuedToken, body: String) -> http::Request<Body> {
            http::Request::post("/")
                .header("cookie", format!("{cookie}={token}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", body.len())
                .body(body.into())
                .unwrap()
        }
        let auth = Auth::new(
            Config::builder()
                .secret(b"an example secret of at least 32 bytes!")
                .token_location([TokenLocation::Cookies])
                .csrf_check_form(true)
                .refresh_csrf_field_name("_csrf_refresh")
                .build()?,
        );
        let app: Router = Router::new().route("/", post(|_: RefreshToken| async {}));
        let app = app.layer(auth.layer());
        let token = auth.create_refresh_token("user1")?;
        let body = format!("_csrf_refresh={}", token.csrf().unwrap());
        let req = form("refresh_token_cookie", &token, body);
        assert_eq!(app.oneshot(req).await?.status(), 200);
    }
    Ok(())
}

#[tokio::test]
async fn csrf_exempt_routes() -> Result<(), Box<dyn std::error::Error>> {
    use authjwt::{Auth, Config, Protection, TokenLocation, claims::NoCustomClaims};
    let auth = Auth::new(
        Config::builder()
            .secret(b"an example secret of at least 32 bytes!")
            .token_location([TokenLocation::Cookies])
            .csrf_exempt_routes(["/webhook"])
            .build()?,
    );
    let cookie = format!(
        "access_token_cookie={}",
        auth.create_access_token("service")?
    );
    let req = http::Request::post("/webhook").header("cookie", cookie); // no CSRF header
    let (parts, _) = req.body(())?.into_parts();
    assert!(
        auth.authenticate::<NoCustomClaims>(&parts, &Protection::access())
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn header_name() -> Result<(), Box<dyn std::error::Error>> {
    use authjwt::{Auth, Config, Protection, claims::NoCustomClaims};
    let auth = Auth::new(
        Config::builder()
            .secret(b"an example secret of at least 32 bytes!")
            .header_name("X-Api-Token")
            .build()?,
    );
    let token = auth.create_access_token("user1")?;
    let req = http::Request::get("/").header("x-api-token", format!("Bearer {token}"));
    let (parts, _) = req.body(())?.into_parts();
    assert!(
        auth.authenticate::<NoCustomClaims>(&parts, &Protection::access())
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn header_type() -> Result<(), Box<dyn std::error::Error>> {
    use authjwt::{Auth, Config, Protection, claims::NoCustomClaims};
    let auth = Auth::new(
        Config::builder()
            .secret(b"an example secret of at least 32 bytes!")
            .header_type("") // `Authorization: <token>`, without a scheme
            .build()?,
    );
    let token = auth.create_access_token("user1")?;
    let req = http::Request::get("/").header("authorization", token.as_str());
    let (parts, _) = req.body(())?.into_parts();
    assert!(
        auth.authenticate::<NoCustomClaims>(&parts, &Protection::access())
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn query_string_name() -> Result<(), Box<dyn std::error::Error>> {
    use authjwt::{Auth, Config, Protection, TokenLocation, claims::NoCustomClaims};
    let auth = Auth::new(
        Config::builder()
            .secret(b"an example secret of at least 32 bytes!")
            .token_location([TokenLocation::Query])
            .query_string_name("jwt")
            .build()?,
    );
    let token = auth.create_access_token("user1")?;
    let req = http::Request::get(format!("/download?jwt={token}"));
    let (parts, _) = req.body(())?.into_parts();
    assert!(
        auth.authenticate::<NoCustomClaims>(&parts, &Protection::access())
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn json_key() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "axum")]
    {
        use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
        use axum::{Router, routing::post};
        use tower::ServiceExt;
        fn json(body: String) -> http::Request<axum::body::Body> {
            http::Request::post("/")
                .header("content-type", "application/json")
                .header("content-length", body.len())
                .body(body.into())
                .unwrap()
        }
        let auth = Auth::new(
            Config::builder()
                .secret(b"an example secret of at least 32 bytes!")
                .token_location([TokenLocation::Json])
                .json_key("jwt")
                .build()?,
        );
        let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
        let app = app.layer(auth.layer()); // the layer reads the key from JSON bodies
        let body = format!(r#"{{"jwt":"{}"}}"#, auth.create_access_token("user1")?);
        assert_eq!(app.oneshot(json(body)).await?.status(), 200);
    }
    Ok(())
}

#[tokio::test]
async fn refresh_json_key() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "axum")]
    {
        use authjwt::{Auth, Config, TokenLocation, axum::RefreshToken};
        use axum::{Router, routing::post};
        use tower::ServiceExt;
        fn json(body: String) -> http::Request<axum::body::Body> {
            http::Request::post("/refresh")
                .header("content-type", "application/json")
                .header("content-length", body.len())
                .body(body.into())
                .unwrap()
        }
        let auth = Auth::new(
            Config::builder()
                .secret(b"an example secret of at least 32 bytes!")
                .token_location([TokenLocation::Json])
                .refresh_json_key("refresh")
                .build()?,
        );
        let app: Router = Router::new().route("/refresh", post(|_: RefreshToken| async {}));
        let app = app.layer(auth.layer());
        let body = format!(r#"{{"refresh":"{}"}}"#, auth.create_refresh_token("user1")?);
        assert_eq!(app.oneshot(json(body)).await?.status(), 200);
    }
    Ok(())
}

#[tokio::test]
async fn body_limit() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "axum")]
    {
        use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
        use axum::{Router, routing::post};
        use tower::ServiceExt;
        fn json(body: String) -> http::Request<axum::body::Body> {
            http::Request::post("/")
                .header("content-type", "application/json")
                .header("content-length", body.len())
                .body(body.into())
                .unwrap()
        }
        let auth = Auth::new(
            Config::builder()
                .secret(b"an example secret of at least 32 bytes!")
                .token_location([TokenLocation::Json])
                .body_limit(64) // bytes
                .build()?,
        );
        let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
        let app = app.layer(auth.layer());
        let body = format!(
            r#"{{"access_token":"{}"}}"#,
            auth.create_access_token("user1")?
        );
        // Longer than the limit: the body is not read, so no token is found.
        assert_eq!(app.oneshot(json(body)).await?.status(), 401);
    }
    Ok(())
}
