//! The demo's `GET /protected`, `POST /posts` (with CSRF) and a rejected `POST /posts` (no
//! CSRF header) through an axum `Router` in process, without sockets: the same work wrk
//! measures in `scripts/bench.sh`, minus the network and hyper, so the difference between
//! the library's axum path and the hand-written floor (`crates/authjwt-floor`) shows without
//! the noise of a loaded machine.
//!
//! - `authjwt`: the demo's handlers and the library's layers (`auth.layer()`,
//!   `auth.cross_origin_layer()`) added with `Router::layer`, HS256, revocation on
//!   (in-memory store);
//! - `authjwt_demo_stack`: the demo's whole stack for these routes as `authjwt_demo::app`
//!   builds it: the same layers plus the 16 KiB header limit, wrapped around the routes as
//!   one service that is the outer router's fallback;
//! - `floor`: `authjwt_floor::router`, the check hand-written on `jsonwebtoken::decode`.
//!
//! `cargo bench -p authjwt --features axum --bench http_path`; see BENCHMARKS.md.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use common::web::{Case, call, cases, routers};
use criterion::Criterion;

static SAMPLES: Mutex<BTreeMap<String, Vec<f64>>> = Mutex::new(BTreeMap::new());

fn bench(c: &mut Criterion, id: &str, router: &Router, case: &Case) {
    assert_eq!(call(router, case), case.status, "{id} answers as expected");
    c.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(call(router, case));
            }
            let elapsed = start.elapsed();
            if iters >= 10 {
                SAMPLES
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(id.to_owned())
                    .or_default()
                    .push(elapsed.as_secs_f64() * 1e9 / iters as f64);
            }
            elapsed
        });
    });
}

fn median(id: &str) -> Option<f64> {
    let samples = SAMPLES.lock().unwrap_or_else(PoisonError::into_inner);
    let mut v = samples.get(id)?.clone();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

fn main() {
    common::install_jsonwebtoken_provider();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40)
        .configure_from_args();
    let auth = common::make_auth(common::signing_key(authjwt::keys::Algorithm::HS256), true);
    let login = auth.create_login_tokens("user1").expect("tokens");
    let cases = cases(&login);
    let routers = routers(&auth);
    for (case_name, case) in &cases {
        for (router_name, router) in &routers {
            bench(
                &mut c,
                &format!("http_{case_name}/{router_name}"),
                router,
                case,
            );
        }
    }
    c.final_summary();
    if std::env::args().any(|a| a == "--test" || a == "--list" || a.starts_with("--profile-time")) {
        return;
    }
    let rounds = std::env::var("AUTHJWT_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(101);
    println!();
    println!(
        "== ns/request: criterion median | best of {rounds} alternating batches; \
         throughput ratio x/floor = floor time / x time (from the best batches)"
    );
    for (case_name, case) in &cases {
        let best = alternating(&routers, case, rounds);
        let crit = |r: &str| median(&format!("http_{case_name}/{r}")).unwrap_or(f64::NAN);
        let floor = best[2];
        println!(
            "http_{case_name}: authjwt {:.0} | {:.0} ns, demo stack {:.0} | {:.0} ns, \
             floor {:.0} | {floor:.0} ns; authjwt/floor {:.2}, demo-stack/floor {:.2}",
            crit("authjwt"),
            best[0],
            crit("authjwt_demo_stack"),
            best[1],
            crit("floor"),
            floor / best[0],
            floor / best[1],
        );
    }
}

/// The routers in alternation, batches of about half a millisecond: the fastest batch of
/// each, ns/request (interference only adds time).
fn alternating(routers: &[(&str, Router)], case: &Case, rounds: usize) -> Vec<f64> {
    let batch = {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_micros(500) {
            black_box(call(&routers[0].1, case));
            n += 1;
        }
        n.max(1)
    };
    let mut best = vec![f64::INFINITY; routers.len()];
    for round in 0..rounds {
        for k in 0..routers.len() {
            let i = (k + round) % routers.len();
            let start = Instant::now();
            for _ in 0..batch {
                black_box(call(&routers[i].1, case));
            }
            let ns = start.elapsed().as_secs_f64() * 1e9 / batch as f64;
            best[i] = best[i].min(ns);
        }
    }
    best
}
