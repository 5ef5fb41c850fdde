//! Allocations and bytes allocated per operation, counted by a global allocator that wraps
//! the system one (`stats_alloc`): the verify path (`Auth::authenticate` on a cookie-borne
//! POST with CSRF, with and without revocation), its token-level halves, raw
//! `jsonwebtoken::decode`, the minimal hand-written verify, and token creation with the
//! Set-Cookie headers, for HS256, RS256, ES256 and EdDSA.
//!
//! With the `axum` feature it also counts the allocations of a whole HTTP request through the
//! routers of the http_path bench (authjwt's layers, the demo's stack, the floor).
//!
//! Counts are exact and do not depend on machine load.
//! `cargo bench -p authjwt --all-features --bench alloc`.
//!
//! With `AUTHJWT_BENCH_ONLY=ALG/OPERATION` (for example `HS256/authenticate`, or
//! `HTTP/ROUTER/CASE` such as `HTTP/floor/get_protected`) it runs that
//! one operation `AUTHJWT_BENCH_ROUNDS` times and prints nothing: `scripts/bench.sh
//! instructions` runs it under callgrind, counting only the measured loop, to get the
//! instructions of one operation, a figure that machine load does not disturb.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::alloc::System;
use std::hint::black_box;

use common::{ALGORITHMS, Fixture, operations};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const ROUNDS: u64 = 2_000;

/// (allocations, bytes allocated) per call of `f`, after two warm-up calls.
fn count(f: &mut dyn FnMut() -> bool) -> (f64, f64) {
    assert!(f(), "the operation succeeds");
    black_box(f());
    let region = Region::new(GLOBAL);
    for _ in 0..ROUNDS {
        black_box(f());
    }
    let stats = region.change();
    // A reallocation is an allocation too (it may move).
    let allocations = (stats.allocations + stats.reallocations) as f64 / ROUNDS as f64;
    let bytes =
        (stats.bytes_allocated as f64 + stats.bytes_reallocated.max(0) as f64) / ROUNDS as f64;
    (allocations, bytes)
}

/// `AUTHJWT_BENCH_ONLY=ALG/OPERATION`: runs one operation, for callgrind.
fn only(spec: &str) {
    let rounds: u64 = std::env::var("AUTHJWT_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(ROUNDS);
    let (alg, op) = spec.split_once('/').expect("ALG/OPERATION");
    #[cfg(feature = "axum")]
    if alg == "HTTP" {
        // HTTP/ROUTER/CASE, for example HTTP/authjwt/get_protected.
        let (router, case) = op.split_once('/').expect("HTTP/ROUTER/CASE");
        let (routers, cases) = http_fixture();
        let router = &routers
            .iter()
            .find(|(r, _)| *r == router)
            .expect("a router")
            .1;
        let case = &cases.iter().find(|(c, _)| *c == case).expect("a case").1;
        let mut f = || common::web::call(router, case) == case.status;
        assert!(f(), "the request answers as expected");
        black_box(f());
        measured_loop(&mut f, rounds);
        return;
    }
    let alg = ALGORITHMS
        .into_iter()
        .find(|a| a.as_str() == alg)
        .expect("HS256, RS256, ES256 or EdDSA");
    let fx = Fixture::new(alg);
    let mut ops = operations(&fx);
    let (_, _, f) = ops
        .iter_mut()
        .find(|(id, _, _)| *id == op)
        .expect("a known operation");
    assert!(f(), "the operation succeeds");
    black_box(f());
    measured_loop(f, rounds);
}

/// The loop callgrind counts (`--toggle-collect=*measured_loop*`): nothing else is counted,
/// so key loading, the first use of the RNG and other one-time costs stay out.
#[inline(never)]
fn measured_loop(f: &mut dyn FnMut() -> bool, rounds: u64) {
    for _ in 0..rounds {
        black_box(f());
    }
}

#[cfg(feature = "axum")]
type Routers = [(&'static str, axum::Router); 3];
#[cfg(feature = "axum")]
type Cases = [(&'static str, common::web::Case); 3];

/// The routers and requests of the http_path bench (HS256, revocation on).
#[cfg(feature = "axum")]
fn http_fixture() -> (Routers, Cases) {
    common::install_jsonwebtoken_provider();
    let auth = common::make_auth(common::signing_key(authjwt::keys::Algorithm::HS256), true);
    let login = auth.create_login_tokens("user1").expect("tokens");
    (common::web::routers(&auth), common::web::cases(&login))
}

fn main() {
    if let Ok(spec) = std::env::var("AUTHJWT_BENCH_ONLY") {
        only(&spec);
        return;
    }
    println!("allocations per operation (mean of {ROUNDS} calls after warm-up)");
    for alg in ALGORITHMS {
        let fx = Fixture::new(alg);
        println!();
        println!(
            "### {} (access token {} bytes, Cookie header {} bytes)",
            fx.name,
            fx.token.len(),
            fx.parts.headers["cookie"].len()
        );
        println!();
        println!("| operation | allocations | bytes |");
        println!("|---|---:|---:|");
        for (_, description, mut f) in operations(&fx) {
            let (allocs, bytes) = count(&mut *f);
            println!("| {description} | {allocs:.1} | {bytes:.0} |");
        }
    }
    #[cfg(feature = "axum")]
    {
        let (routers, cases) = http_fixture();
        println!();
        println!(
            "### HTTP request through an axum Router in process (HS256; request built and body collected)"
        );
        println!();
        println!("| request | router | allocations | bytes |");
        println!("|---|---|---:|---:|");
        for (case_name, case) in &cases {
            for (router_name, router) in &routers {
                let (allocs, bytes) = count(&mut || common::web::call(router, case) == case.status);
                println!("| {case_name} | {router_name} | {allocs:.1} | {bytes:.0} |");
            }
        }
    }
}
