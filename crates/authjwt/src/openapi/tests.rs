//! The requirement and scheme rules, one configuration at a time.

use super::schemes::method_list;
use super::*;
use serde_json::{Value, json};
use utoipa::Modify;
use utoipa::openapi::{HttpMethod, OpenApiBuilder, PathItem, PathsBuilder};

fn auth(builder: crate::ConfigBuilder) -> Auth {
    Auth::new(builder.secret([7u8; 32]).build().unwrap())
}

fn cookies() -> crate::ConfigBuilder {
    Config::builder().token_location([TokenLocation::Cookies])
}

fn reqs(auth: &Auth, method: &Method, path: &str, protection: &Protection) -> Value {
    serde_json::to_value(SecuritySchemes::new(auth).requirements(method, path, protection)).unwrap()
}

#[test]
fn cookie_requirements_follow_the_method_and_the_csrf_settings() {
    let a = auth(cookies());
    let access = Protection::access();
    assert_eq!(
        reqs(&a, &Method::GET, "/p", &access),
        json!([{"access_cookie": []}])
    );
    for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        assert_eq!(
            reqs(&a, &m, "/p", &access),
            json!([{"access_cookie": [], "csrf_header": []}]),
            "{m}"
        );
    }
    assert_eq!(
        reqs(&a, &Method::POST, "/p", &access.clone().verify_csrf(false)),
        json!([{"access_cookie": []}])
    );
    assert_eq!(
        reqs(&a, &Method::POST, "/refresh", &Protection::refresh()),
        json!([{"refresh_cookie": [], "csrf_header": []}])
    );
    // Only DELETE needs the header here; and an exempt route none.
    let a = auth(
        cookies()
            .csrf_methods([Method::DELETE])
            .csrf_exempt_routes(["/hook"]),
    );
    assert_eq!(
        reqs(&a, &Method::POST, "/p", &access),
        json!([{"access_cookie": []}])
    );
    assert_eq!(
        reqs(&a, &Method::DELETE, "/p", &access),
        json!([{"access_cookie": [], "csrf_header": []}])
    );
    assert_eq!(
        reqs(&a, &Method::DELETE, "/hook", &access),
        json!([{"access_cookie": []}])
    );
}

#[test]
fn several_locations_are_alternatives_and_optional_adds_the_empty_requirement() {
    let a = auth(Config::builder().token_location([
        TokenLocation::Headers,
        TokenLocation::Cookies,
        TokenLocation::Json,
    ]));
    assert_eq!(
        reqs(&a, &Method::POST, "/p", &Protection::access().optional()),
        json!([{"bearer": []}, {"access_cookie": [], "csrf_header": []}, {}])
    );
    // The query scheme only when the configuration lists the query string.
    let q = Protection::access().locations([TokenLocation::Query, TokenLocation::Query]);
    assert_eq!(reqs(&a, &Method::GET, "/p", &q), json!([]));
    let a = auth(Config::builder().token_location([TokenLocation::Query]));
    assert_eq!(
        reqs(&a, &Method::GET, "/p", &q),
        json!([{"query_token": []}])
    );
    assert!(
        SecuritySchemes::new(&a)
            .schemes()
            .contains_key("query_token")
    );
}

#[test]
fn schemes_are_named_after_the_configuration() {
    let a = auth(
        cookies()
            .access_cookie_name("a_cookie")
            .refresh_cookie_name("r_cookie")
            .access_csrf_header_name("X-A")
            .refresh_csrf_header_name("X-R")
            .header_name("X-Token")
            .header_type(""),
    );
    let mut doc = OpenApi::default();
    SecuritySchemes::new(&a).modify(&mut doc);
    let json = serde_json::to_value(&doc).unwrap();
    let s = &json["components"]["securitySchemes"];
    assert_eq!(
        s["access_cookie"],
        json!({"type": "apiKey", "in": "cookie", "name": "a_cookie",
               "description": s["access_cookie"]["description"]})
    );
    assert_eq!(s["refresh_cookie"]["name"], "r_cookie");
    assert_eq!(s["csrf_header"]["in"], "header");
    assert_eq!(s["csrf_header"]["name"], "x-a");
    assert_eq!(s["refresh_csrf_header"]["name"], "x-r");
    assert_eq!(s["bearer"]["type"], "apiKey");
    assert_eq!(s["bearer"]["name"], "x-token");
    assert_eq!(
        reqs(&a, &Method::POST, "/refresh", &Protection::refresh()),
        json!([{"refresh_cookie": [], "refresh_csrf_header": []}])
    );
    // CSRF off: no header scheme, no header in any requirement.
    let off = auth(
        cookies()
            .cookie_csrf_protect(false)
            .dangerous_allow_cookies_without_csrf(),
    );
    assert!(
        !SecuritySchemes::new(&off)
            .schemes()
            .contains_key("csrf_header")
    );
    assert_eq!(
        reqs(&off, &Method::POST, "/p", &Protection::access()),
        json!([{"access_cookie": []}])
    );
}

#[test]
fn secure_sets_the_requirement_and_the_error_responses_it_lacks() {
    let a = auth(cookies());
    let schemes = SecuritySchemes::new(&a);
    let mut doc = OpenApiBuilder::new()
        .paths(
            PathsBuilder::new()
                .path("/posts", PathItem::new(HttpMethod::Post, Operation::new()))
                .path("/me", PathItem::new(HttpMethod::Get, Operation::new()))
                .path("/ws", PathItem::new(HttpMethod::Get, Operation::new())),
        )
        .build();
    // An operation's own 401 is kept.
    if let Some(op) = operation_mut(&mut doc, &Method::GET, "/me") {
        add_error(op, "401", "mine");
    }
    schemes
        .secure(&mut doc, &Method::POST, "/posts", &Protection::access())
        .unwrap();
    schemes
        .secure(&mut doc, &Method::GET, "/me", &Protection::access())
        .unwrap();
    assert_eq!(
        schemes.secure(&mut doc, &Method::DELETE, "/posts", &Protection::access()),
        Err(MissingOperation {
            method: Method::DELETE,
            path: "/posts".into()
        })
    );
    let json = serde_json::to_value(&doc).unwrap();
    let post = &json["paths"]["/posts"]["post"];
    assert_eq!(
        post["security"],
        json!([{"access_cookie": [], "csrf_header": []}])
    );
    let mut statuses: Vec<&String> = post["responses"].as_object().unwrap().keys().collect();
    statuses.sort();
    // The default configuration has an in-memory revocation store: 503 is possible.
    assert_eq!(statuses, ["401", "403", "503"]);
    let me = &json["paths"]["/me"]["get"];
    assert_eq!(me["responses"]["401"]["description"], "mine");
    assert!(
        me["responses"].get("403").is_none(),
        "a plain GET is never cross-site refused"
    );
    // A GET that checks the origin too (a WebSocket handshake's protection): 403 listed.
    let strict = Protection::access().check_origin_on_safe_methods(true);
    schemes
        .secure(&mut doc, &Method::GET, "/ws", &strict)
        .unwrap();
    let json = serde_json::to_value(&doc).unwrap();
    let ws = &json["paths"]["/ws"]["get"];
    assert_eq!(ws["security"], json!([{"access_cookie": []}]));
    assert!(
        ws["responses"]["403"]["description"]
            .as_str()
            .unwrap()
            .starts_with("cross_site_request")
    );
    assert_eq!(
        json["components"]["schemas"]["ErrorBody"]["required"],
        json!(["detail", "code"])
    );
}

#[test]
fn method_list_reads_naturally() {
    let a = auth(cookies());
    assert_eq!(method_list(a.config()), "POST, PUT, PATCH and DELETE");
    let one = auth(cookies().csrf_methods([Method::DELETE]));
    assert_eq!(method_list(one.config()), "DELETE");
}
