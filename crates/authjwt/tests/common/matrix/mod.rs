//! The shared HTTP behaviour matrix: every case drives a whole application (routing, layers,
//! extractors) through [`TestApp::send`], so each framework adapter runs exactly the same
//! cases: `behaviour_matrix!(MyFactory, tokio::test);` (or `actix_web::test`, ...).
//!
//! The cases live in one module per section (`tokens`, `csrf`, `cross_site`, `websocket`,
//! `proxy`, `flows`, `cookies`, `locations`, `keys`, `user_lookup`, `lifecycle`, `sessions`,
//! `discrepancies`); the macro
//! lists them section by section, and each test is named after its case function. The cases
//! that race requests run under the adapter's `parallel` test attribute:
//! `behaviour_matrix!(MyFactory, tokio::test, parallel: tokio::test(flavor = "multi_thread"))`
//! (without it, under the same attribute as the others).
//!
//! # Route contract
//!
//! An adapter's [`AppFactory::build`] mounts these routes for the given [`Auth`] (the
//! framework's auth layer/middleware installed over all of them). Every handler that runs
//! calls [`Hits::hit`] and adds the response header `x-handler: <name>`; the bodies of the
//! first table are JSON. `loc` below is `Authenticated::location().to_string()`
//! (`"headers"`, `"cookies"`, ...).
//!
//! | route | guard | success response |
//! |---|---|---|
//! | `POST /login` | cross-origin check (axum: `auth.cross_origin_layer()`); JSON `{username, password}` | `test`/`test`: 200 `{"msg":"login ok"}` + `auth.set_access_cookies(access).and(auth.set_refresh_cookies(refresh))` (access not fresh). Other credentials: 401 `{"msg":"bad credentials","code":"bad_credentials"}`, no cookies |
//! | `POST /login/fresh` | as `/login` | as `/login`, the access token created with `TokenOptions::new().fresh(true)` |
//! | `POST /login/body` | as `/login` | 200 `{"msg":"login ok","access_token":"<jwt>"}` + only `auth.set_refresh_cookies(refresh)` (seed 002's dual strategy) |
//! | `GET /protected` | access token required | `{"user":sub,"location":loc}` |
//! | `POST /posts` | access token required | `{"user":sub,"location":loc,"body":"<request body as the handler received it, UTF-8>"}` |
//! | `GET /optional` | optional access token | `{"user":sub}` or `{"user":null}` |
//! | `POST /refresh` | refresh token required | `{"msg":"refreshed","user":sub}` + `auth.set_access_cookies(<new non-fresh access token for sub>)` |
//! | `POST /fresh` | fresh access token required | `{"user":sub,"location":loc}` |
//! | `DELETE /logout` | access token required | `{"msg":"logout"}` + `auth.unset_cookies()` |
//! | `POST /webhook` | access token, route override `RouteOptions::new().verify_csrf(false)` | `{"user":sub,"location":loc}` |
//! | `GET /header-only` | access token, route override `RouteOptions::new().locations([TokenLocation::Headers])` | `{"user":sub,"location":loc}` |
//! | `GET /custom` | access token with custom claims [`Roles`] | `{"user":sub,"roles":[...]}` |
//! | `GET /group/a`, `POST /group/b`, `PUT /group/b` | a group guarded by `auth.require(Protection::access())`; the handler reads `Authenticated` from the request extensions | `{"user":sub,"location":loc}` |
//! | `GET /manual` | none; the handler builds an `http::Response` itself, adds `Set-Cookie: theme=dark; Path=/`, then `auth.set_access_cookies(&auth.create_access_token("manual")).apply(resp.headers_mut())` | `{"msg":"manual"}` |
//! | `POST /verify` | none; JSON [`VerifyBody`] `{token, type}`, handler-side `auth.verify_token::<NoCustomClaims>` | 200 `{"user":sub}`; an error is rendered with `auth.reject(err)` (so the handler runs, but the response is the configured responder's) |
//! | `GET /me`, `POST /me` | `CurrentUser<TestUser>`, the user loaded by [`TestUsers`] (registered by [`with_users`]; without it: 500) | [`me_body`]: `{"user":sub,"location":loc,"name":...,"email":...}` |
//! | `POST /me/hook` | as `/me`, route override `RouteOptions::new().verify_csrf(false)` | as `/me` |
//! | `GET /admin` | `CurrentUser<TestAdmin>`, loaded by [`TestAdmins`] from the [`Roles`] claims | [`admin_body`]: `{"user":sub,"admin":name}` |
//! | `GET /strict-origin` | access token, route override `RouteOptions::new().check_origin_on_safe_methods(true)` | `{"user":sub,"location":loc}` |
//!
//! The session lifecycle routes ([`routes::session`](super::routes::session)) form one scope,
//! `/session`, under `auth.implicit_refresh_layer(IMPLICIT_REFRESH_WINDOW)` (actix:
//! `implicit_refresh_middleware`) inside the auth layer. Their handlers also call
//! [`Hits::hit`] and add `x-handler`; their bodies are plain text, and their errors are
//! rendered with `auth.reject(err)`.
//!
//! | route | guard | success response |
//! |---|---|---|
//! | `POST /session/login` | none, no body | `auth.create_login_tokens("user1")?.cookies(&auth)`, `in` |
//! | `GET /session/protected` | access token required | the subject |
//! | `GET /session/public` | optional access token | `public` |
//! | `POST /session/refresh` | handler-side `auth.refresh::<NoCustomClaims>(&parts, &Protection::refresh())` | the successor's `cookies(&auth)`, `refreshed` |
//! | `POST /session/logout` | handler-side `auth.logout(&parts)` | the cookies it returns, `out` |
//! | `POST /session/revoke-all` | access token required; `auth.revoke_all(sub)` | `revoked` |
//! | `GET /session/race` | access token required; `auth.revoke(claims)` in the handler, as a logout from another tab landing meanwhile | `raced` |
//!
//! Every case here passes on both adapters; the library bugs the matrix found when it was
//! written were fixed, and their cases kept under names that say what is refused.

#![warn(dead_code)]

pub(crate) mod cookies;
pub(crate) mod cross_site;
pub(crate) mod csrf;
pub(crate) mod discrepancies;
pub(crate) mod flows;
pub(crate) mod keys;
pub(crate) mod lifecycle;
pub(crate) mod locations;
pub(crate) mod proxy;
pub(crate) mod sessions;
pub(crate) mod tokens;
pub(crate) mod user_lookup;
pub(crate) mod websocket;

use serde_json::{Value, json};

use super::Req;
use super::routes::{PASSWORD, USER};

// Keys and cookie attributes shared by several sections.
const RSA_PRIVATE: &[u8] = include_bytes!("../../keys/rsa_private.pem");
const RSA_PUBLIC_PEM: &[u8] = include_bytes!("../../keys/rsa_public.pem");
const RSA_PUBLIC_DER: &[u8] = include_bytes!("../../keys/rsa_public.der");
const RSA2_PRIVATE: &[u8] = include_bytes!("../../keys/rsa2_private.pem");
const RSA2_PUBLIC_PEM: &[u8] = include_bytes!("../../keys/rsa2_public.pem");
const EXPIRES_EPOCH: &str = "Expires=Thu, 01 Jan 1970 00:00:00 GMT";

/// Expands to one test per case of the matrix, for the application built by `$factory`
/// (an [`AppFactory`]), each run under the test attribute `$test` (`tokio::test`, ...).
/// Each test is named after its case function, found in the section module named before
/// its braces. The cases listed under `$parallel` race requests: their attribute should give
/// them a multi-threaded runtime where the framework allows it.
macro_rules! behaviour_matrix {
    (@cases $factory:ty, $test:meta; $($section:ident::{$($case:ident),* $(,)?}),* $(,)?) => {
        $($(
            #[$test]
            async fn $case() {
                $crate::common::matrix::$section::$case::<$factory>().await;
            }
        )*)*
    };
    ($factory:ty, $test:meta) => {
        $crate::common::matrix::behaviour_matrix!($factory, $test, parallel: $test);
    };
    ($factory:ty, $test:meta, parallel: $parallel:meta) => {
        $crate::common::matrix::behaviour_matrix!(@cases $factory, $parallel;
            lifecycle::{
                sixty_four_concurrent_refreshes_of_one_token_all_get_the_one_successor,
            },
        );
        $crate::common::matrix::behaviour_matrix!(@cases $factory, $test;
            // Tokens: presence, integrity, time, type, algorithm, header, size.
            tokens::{
                missing_token_on_every_guarded_route,
                valid_tokens_reach_the_handler,
                login_sets_the_four_cookies,
                bad_credentials_set_no_cookie,
                tampered_payload_is_refused,
                tampered_signature_is_refused,
                malformed_tokens_are_refused,
                expired_token_is_refused,
                leeway_applies_to_exp_and_nbf,
                not_yet_valid_token_is_refused,
                token_without_exp_is_refused_unless_allowed,
                refresh_token_used_as_access_token,
                access_token_used_as_refresh_token,
                hs512_token_refused_by_hs256_app,
                rs256_app_refuses_hs256_signed_with_public_key,
                alg_none_in_every_spelling_is_refused,
                crit_header_is_refused,
                oversized_token_is_refused,
                issuer_and_audience_are_enforced,
                custom_claims_round_trip,
                error_body_never_echoes_the_token,
                rejections_carry_their_headers,
                authorization_scheme_variants,
                conflicting_authorization_headers,
                conflicting_query_tokens,
            },
            // CSRF double submit.
            csrf::{
                csrf_missing_on_unsafe_methods,
                csrf_mismatch_on_unsafe_methods,
                csrf_header_empty_or_repeated,
                csrf_from_the_other_token_type,
                csrf_from_another_session,
                csrf_valid_passes_on_every_unsafe_route,
                csrf_not_checked_on_safe_methods,
                csrf_exempt_route_override,
                csrf_exempt_routes_in_config,
                header_token_needs_no_csrf,
                csrf_methods_are_configurable,
                csrf_header_name_is_configurable,
                form_field_csrf_fallback,
            },
            // Cross-site requests (Origin / Sec-Fetch-Site).
            cross_site::{
                cross_site_unsafe_requests_are_refused,
                same_origin_unsafe_requests_pass,
                cross_site_checked_before_the_token,
                cross_site_safe_methods_and_header_tokens_pass,
                trusted_origins_and_same_site_opt_in,
                origin_check_can_be_turned_off,
                login_refuses_cross_site_requests,
            },
            // WebSocket handshakes (cross-site hijacking) and the check on safe methods.
            websocket::{
                cross_site_websocket_upgrades_are_refused_by_every_extractor,
                same_origin_websocket_upgrades_pass,
                trusted_origins_may_open_websockets_even_cross_site,
                websocket_upgrades_without_a_cookie,
                a_route_can_check_origin_on_safe_methods,
                origin_check_off_lets_websocket_upgrades_through,
            },
            // Behind a reverse proxy: forwarded host and scheme from trusted peers only.
            proxy::{
                forwarded_host_is_ignored_unless_proxies_are_configured,
                a_trusted_proxy_names_the_public_origin,
                forwarded_headers_from_any_other_peer_are_ignored,
                ambiguous_or_malformed_forwarded_headers_are_refused,
                sec_fetch_site_and_trusted_origins_still_decide_behind_a_proxy,
            },
            // Fresh, refresh, optional, logout.
            flows::{
                fresh_token_required,
                refresh_flow_issues_new_access_cookies,
                optional_without_token,
                optional_with_valid_token,
                optional_with_invalid_token,
                logout_unsets_every_cookie,
            },
            // Cookies.
            cookies::{
                set_cookie_strings_default,
                set_cookie_strings_custom_attributes,
                set_cookie_strings_samesite_none,
                session_and_persistent_cookies,
                host_prefix_cookies,
                csrf_cookies_can_be_turned_off,
                duplicate_auth_cookies,
                lookalike_cookie_names_are_other_cookies,
                handler_built_response_keeps_its_cookies,
            },
            // Locations.
            locations::{
                dual_strategy_login_body,
                location_order_query_before_header,
                location_order_decides_csrf,
                route_override_header_only,
                invalid_token_in_first_location_does_not_fall_back,
                query_token_needs_no_csrf,
                json_body_token,
                json_body_is_read_only_when_declared_and_small,
            },
            // Keys, responders, groups, handler-side verification.
            keys::{
                key_rotation_hmac,
                key_rotation_rsa_and_kid_algorithm_binding,
                custom_responder_renders_every_rejection,
                require_layer_guards_a_group,
                handler_side_verify_token,
            },
            // User lookup (CurrentUser).
            user_lookup::{
                current_user_reaches_the_handler_with_its_user,
                current_user_refuses_subjects_that_name_no_user,
                current_user_stops_at_a_deleted_user,
                current_user_authenticates_like_access_token,
                current_user_lookup_failure_is_unavailable,
                current_user_without_a_lookup_is_a_server_error,
            },
            // Token lifecycle: logout, rotation, revoke-all, implicit refresh.
            lifecycle::{
                logout_needs_csrf_then_revokes_and_clears_all_four_cookies,
                logout_with_an_expired_access_token_uses_the_refresh_csrf,
                other_sessions_of_the_same_user_survive_logout,
                strict_refresh_rotates_and_detects_reuse,
                strict_concurrent_refreshes_with_one_token_never_yield_two_live_sessions,
                a_replay_within_the_window_gets_the_same_successor_and_an_older_token_ends_the_session,
                revoke_all_ends_every_session_issued_before,
                implicit_refresh_renews_near_expiry_and_never_revives,
                implicit_refresh_loses_the_race_with_a_logout,
                logout_with_only_an_expired_access_token_says_it_expired,
                a_revoked_token_stays_revoked_through_the_leeway,
            },
            // The session registry: list, end one, end the others, remember-me, max age, audit.
            sessions::{
                sessions_are_listed_newest_first_with_the_callers_marked,
                ending_a_session_refuses_its_tokens_and_only_the_owner_can,
                another_users_session_is_not_found,
                signing_out_other_devices_keeps_the_callers_session,
                remember_me_is_chosen_per_login_and_kept_by_rotation,
                a_session_ends_at_its_max_age_whatever_its_refreshes,
                audit_events_follow_a_sessions_life,
            },
            // Library discrepancies the matrix found, since fixed: the cases keep the expectation.
            discrepancies::{
                crit_null_is_refused,
                custom_claims_type_does_not_mask_type_or_expiry_errors,
            },
        );
    };
}
pub(crate) use behaviour_matrix;

fn creds() -> Value {
    json!({"username": USER, "password": PASSWORD})
}

fn label(req: &Req) -> String {
    let r = req.clone().build();
    format!("{} {}", r.method(), r.uri())
}

/// Rebuilds the Set-Cookie string of a login cookie from the jar value, for exact checks.
fn cookie_value<'a>(set_cookie: &'a str, name: &str) -> &'a str {
    let pair = set_cookie.split(';').next().unwrap();
    let (n, v) = pair.split_once('=').unwrap();
    assert_eq!(n, name, "{set_cookie}");
    v
}
