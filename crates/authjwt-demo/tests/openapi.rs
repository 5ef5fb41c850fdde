//! `GET /openapi.json`: the document is OpenAPI 3.1 (valid against the OpenAPI
//! Initiative's 3.1 schema, in `tests/openapi/`), structurally sound (every `$ref` resolves,
//! every operation answers something, operation ids are unique, every security requirement
//! names a declared scheme), covers exactly the routes the router serves, marks each
//! protected operation with its own requirement, and describes the bodies the demo really
//! sends: the real responses are validated against their documented schemas.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::collections::BTreeSet;

use authjwt::{Auth, Config, TokenLocation};
use authjwt_demo::{AppState, app};
use axum::Router;
use axum::body::Body;
use common::{Jar, Reply, logged_in, login_request, request, send, send_empty, state};
use http::Request;
use serde_json::{Value, json};

/// The OpenAPI Initiative's JSON Schema of OpenAPI 3.1 documents.
const OAS_31_SCHEMA: &str = include_str!("openapi/oas-3.1-schema.json");

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn fetch(app: &Router) -> Value {
    let reply = send_empty(app, "GET", "/openapi.json", &Jar::default(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.headers[http::header::CONTENT_TYPE],
        "application/json"
    );
    reply.json()
}

/// Every operation of the document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                METHODS.contains(&method.as_str()),
                "{path}: unexpected key {method}"
            );
            out.push((path.clone(), method.clone(), op.clone()));
        }
    }
    out
}

/// Every string under a `$ref` key, anywhere in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The paths the router declares, read from its source: a route added without being
/// documented fails this test.
fn router_paths() -> BTreeSet<String> {
    let source = include_str!("../src/app.rs");
    let paths: BTreeSet<String> = source
        .split(".route(")
        .skip(1)
        .map(|rest| {
            let rest = rest.trim_start().strip_prefix('"').unwrap();
            rest.split('"').next().unwrap().to_owned()
        })
        .collect();
    assert!(paths.len() >= 13, "read the routes of app.rs: {paths:?}");
    paths
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let doc = fetch(&app(state())).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );

    // The OpenAPI Initiative's schema of 3.1 documents (JSON Schema 2020-12).
    let oas: Value = serde_json::from_str(OAS_31_SCHEMA).unwrap();
    let validator = jsonschema::draft202012::new(&oas).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not OpenAPI 3.1: {errors:#?}");
    // The validator is live: it refuses a 3.0 version and an apiKey scheme without `in`.
    let mut broken = doc.clone();
    broken["openapi"] = json!("3.0.3");
    assert!(!validator.is_valid(&broken));
    let mut broken = doc.clone();
    broken["components"]["securitySchemes"]["csrf_header"]
        .as_object_mut()
        .unwrap()
        .remove("in");
    assert!(!validator.is_valid(&broken));

    // Every component schema is a valid JSON Schema 2020-12 (the 3.1 dialect's base).
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let mut schema = schema.clone();
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        assert!(
            jsonschema::meta::validate(&schema).is_ok(),
            "{name}: {schema}"
        );
    }

    // Every $ref points into this document and resolves.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in &all {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "$ref {r} does not resolve");
    }

    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let mut ids = BTreeSet::new();
    for (path, method, op) in operations(&doc) {
        let at = format!("{} {path}", method.to_uppercase());
        // Every operation answers something, and describes each answer.
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses
                .keys()
                .any(|s| s.starts_with('2') || (path == "/ws" && s == "101")),
            "{at}: no success response"
        );
        for (status, response) in responses {
            assert!(
                status.len() == 3 && status.parse::<u16>().is_ok(),
                "{at}: status {status}"
            );
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{at} {status}: no description"
            );
            // Every error is JSON {"detail","code"}.
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{at} {status}"
                );
            }
        }
        let id = op["operationId"].as_str().unwrap().to_owned();
        assert!(ids.insert(id.clone()), "operationId {id} used twice");
        // Every requirement names declared schemes, without scopes.
        for requirement in op["security"].as_array().into_iter().flatten() {
            for (name, scopes) in requirement.as_object().unwrap() {
                assert!(schemes.contains_key(name), "{at}: undeclared scheme {name}");
                assert_eq!(scopes, &json!([]), "{at}");
            }
        }
        // Path templates name only declared parameters (none today; /sessions/{id} later).
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(['{', '}']);
            let declared = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true);
            assert!(declared, "{at}: path parameter {name} is not declared");
        }
    }
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], json!(["detail", "code"]));
}

#[tokio::test]
async fn the_document_covers_exactly_the_routes_the_router_serves() {
    let app = app(state());
    let doc = fetch(&app).await;
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let served = router_paths();
    assert_eq!(documented, served, "documented paths vs the router's");
    for expected in [
        "/",
        "/authjwt.js",
        "/.well-known/jwks.json",
        "/openapi.json",
        "/login",
        "/refresh",
        "/logout",
        "/protected",
        "/posts",
        "/webhook",
        "/dual/login",
        "/dual/protected",
        "/dual/refresh",
    ] {
        assert!(served.contains(expected), "{expected}");
    }
    // Method by method: the router answers each documented operation (never 404 or 405),
    // and every method it answers is documented.
    for path in &served {
        for method in METHODS {
            let reply = send_empty(&app, &method.to_uppercase(), path, &Jar::default(), None).await;
            assert_ne!(reply.status, 404, "{method} {path}");
            let answered = reply.status != 405;
            let in_doc = doc["paths"][path].get(method).is_some();
            assert_eq!(
                answered, in_doc,
                "{method} {path}: router {} vs document",
                reply.status
            );
        }
    }
}

#[tokio::test]
async fn each_protected_operation_has_its_own_requirement() {
    let doc = fetch(&app(state())).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(
        schemes["access_cookie"],
        json!({"type": "apiKey", "in": "cookie", "name": "access_token_cookie",
               "description": schemes["access_cookie"]["description"]})
    );
    assert_eq!(schemes["refresh_cookie"]["in"], "cookie");
    assert_eq!(schemes["refresh_cookie"]["name"], "refresh_token_cookie");
    assert_eq!(schemes["csrf_header"]["type"], "apiKey");
    assert_eq!(schemes["csrf_header"]["in"], "header");
    assert_eq!(schemes["csrf_header"]["name"], "X-CSRF-TOKEN");
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["bearer"]["bearerFormat"], "JWT");

    let security = |method: &str, path: &str| doc["paths"][path][method]["security"].clone();
    // A safe cookie route: the cookie only.
    assert_eq!(
        security("get", "/protected"),
        json!([{"access_cookie": []}])
    );
    // An unsafe cookie route: the cookie AND the header, in one requirement object.
    assert_eq!(
        security("post", "/posts"),
        json!([{"access_cookie": [], "csrf_header": []}])
    );
    assert_eq!(
        security("post", "/refresh"),
        json!([{"refresh_cookie": [], "csrf_header": []}])
    );
    // Either token, each with its CSRF header.
    assert_eq!(
        security("post", "/logout"),
        json!([
            {"access_cookie": [], "csrf_header": []},
            {"refresh_cookie": [], "csrf_header": []},
        ])
    );
    // Exempt from the CSRF header.
    assert_eq!(security("post", "/webhook"), json!([{"access_cookie": []}]));
    // The header route: bearer; the dual refresh: its cookie and header.
    assert_eq!(security("get", "/dual/protected"), json!([{"bearer": []}]));
    assert_eq!(
        security("post", "/dual/refresh"),
        json!([{"refresh_cookie": [], "csrf_header": []}])
    );
    // Public routes: no requirement, and the document sets none globally.
    for (method, path) in [
        ("get", "/"),
        ("get", "/authjwt.js"),
        ("get", "/.well-known/jwks.json"),
        ("get", "/openapi.json"),
        ("post", "/login"),
        ("post", "/dual/login"),
    ] {
        assert_eq!(security(method, path), Value::Null, "{method} {path}");
    }
    assert!(doc.get("security").is_none());

    // The errors each route can answer are described.
    let statuses = |method: &str, path: &str| -> BTreeSet<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    for s in ["200", "401", "403", "431", "503"] {
        assert!(statuses("post", "/posts").contains(s), "POST /posts {s}");
    }
    let description = doc["paths"]["/posts"]["post"]["responses"]["401"]["description"]
        .as_str()
        .unwrap();
    for code in [
        "missing_token",
        "csrf_missing",
        "csrf_mismatch",
        "user_not_found",
    ] {
        assert!(description.contains(code), "{description}");
    }
    assert!(
        !statuses("get", "/protected").contains("403"),
        "a GET is never refused as cross-site"
    );
    for s in ["401", "403", "400", "415", "422"] {
        assert!(statuses("post", "/login").contains(s), "POST /login {s}");
    }
    assert_eq!(
        doc["paths"]["/login"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/LoginRequest"
    );
}

#[tokio::test]
async fn the_schemes_follow_the_configuration() {
    let auth = Auth::new(
        Config::builder()
            .secret(common::SECRET.as_bytes())
            .token_location([TokenLocation::Cookies])
            .access_cookie_name("my_access")
            .access_csrf_header_name("X-XSRF-TOKEN")
            .build()
            .unwrap(),
    );
    let doc = fetch(&app(AppState::new(auth))).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["access_cookie"]["name"], "my_access");
    assert_eq!(schemes["csrf_header"]["name"], "x-xsrf-token");
    // The refresh header stayed X-CSRF-TOKEN: a scheme of its own.
    assert_eq!(schemes["refresh_csrf_header"]["name"], "X-CSRF-TOKEN");
    assert_eq!(
        doc["paths"]["/refresh"]["post"]["security"],
        json!([{"refresh_cookie": [], "refresh_csrf_header": []}])
    );
}

/// The schema `doc` gives for the JSON body of `status` on `method path`, as a validator.
fn response_validator(doc: &Value, method: &str, path: &str, status: u16) -> jsonschema::Validator {
    let schema = &doc["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]
        ["schema"];
    assert!(
        !schema.is_null(),
        "{method} {path} {status}: no JSON schema"
    );
    // Refs (#/components/...) resolve against this root, which carries the components.
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    });
    jsonschema::draft202012::new(&root).unwrap()
}

#[track_caller]
fn assert_documented(doc: &Value, method: &str, path: &str, reply: &Reply) {
    let body = reply.json();
    let validator = response_validator(doc, method, path, reply.status.as_u16());
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {}: {body} does not match the document: {errors:?}",
        reply.status
    );
}

#[tokio::test]
async fn real_responses_match_their_documented_schemas() {
    let app = app(state());
    let doc = fetch(&app).await;
    let empty = Jar::default();
    let post = |path: &str, jar: &Jar, csrf: Option<&str>, body: &str| {
        request("POST", path, jar, csrf)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };

    let reply = send(&app, login_request("/login", "user1", "password1")).await;
    assert_documented(&doc, "post", "/login", &reply);
    let reply = send(&app, login_request("/login", "user1", "nope")).await;
    assert_documented(&doc, "post", "/login", &reply);
    let reply = send(&app, post("/login", &empty, None, "{")).await;
    assert_eq!(reply.status, 400);
    assert_documented(&doc, "post", "/login", &reply);
    let cross = Request::post("/login")
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, cross).await;
    assert_eq!(reply.status, 403);
    assert_documented(&doc, "post", "/login", &reply);

    let jar = logged_in(&app).await;
    for (method, path) in [("GET", "/protected"), ("GET", "/.well-known/jwks.json")] {
        let reply = send_empty(&app, method, path, &jar, None).await;
        assert_eq!(reply.status, 200);
        assert_documented(&doc, &method.to_lowercase(), path, &reply);
    }
    let reply = send_empty(&app, "GET", "/protected", &empty, None).await;
    assert_eq!(reply.status, 401);
    assert_documented(&doc, "get", "/protected", &reply);
    let reply = send(
        &app,
        post(
            "/posts",
            &jar,
            Some("csrf_access_token"),
            r#"{"title":"Hi"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_documented(&doc, "post", "/posts", &reply);
    let reply = send(&app, post("/posts", &jar, None, "{}")).await;
    assert_eq!(reply.status, 401);
    assert_documented(&doc, "post", "/posts", &reply);
    let reply = send_empty(&app, "POST", "/webhook", &jar, None).await;
    assert_documented(&doc, "post", "/webhook", &reply);
    let reply = send_empty(&app, "POST", "/refresh", &jar, Some("csrf_refresh_token")).await;
    assert_eq!(reply.status, 200);
    assert_documented(&doc, "post", "/refresh", &reply);
    let mut jar = jar;
    jar.update(&reply);
    let reply = send_empty(&app, "POST", "/logout", &jar, Some("csrf_access_token")).await;
    assert_eq!(reply.status, 200);
    assert_documented(&doc, "post", "/logout", &reply);

    let reply = send(&app, login_request("/dual/login", "user2", "password2")).await;
    assert_documented(&doc, "post", "/dual/login", &reply);
    let access = reply.json()["access_token"].as_str().unwrap().to_owned();
    let mut dual = Jar::default();
    dual.update(&reply);
    let bearer = request("GET", "/dual/protected", &empty, None)
        .header("authorization", format!("Bearer {access}"))
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, bearer).await;
    assert_eq!(reply.status, 200);
    assert_documented(&doc, "get", "/dual/protected", &reply);
    let reply = send_empty(
        &app,
        "POST",
        "/dual/refresh",
        &dual,
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_documented(&doc, "post", "/dual/refresh", &reply);

    // The WebSocket handshake's refusals (its 101 needs a real socket: tests/ws.rs).
    let reply = send_empty(&app, "GET", "/ws", &empty, None).await;
    assert_eq!(reply.status, 401);
    assert_documented(&doc, "get", "/ws", &reply);
    let jar = logged_in(&app).await;
    let reply = send_empty(&app, "GET", "/ws", &jar, None).await;
    assert_eq!(reply.status, 400);
    assert_documented(&doc, "get", "/ws", &reply);
    let cross = request("GET", "/ws", &jar, None)
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, cross).await;
    assert_eq!(reply.status, 403);
    assert_documented(&doc, "get", "/ws", &reply);

    // The document describes itself.
    let reply = send_empty(&app, "GET", "/openapi.json", &empty, None).await;
    assert_documented(&doc, "get", "/openapi.json", &reply);
}
