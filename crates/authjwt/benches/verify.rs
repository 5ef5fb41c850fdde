//! The verify path of a cookie-borne access token and token creation, for HS256, RS256, ES256
//! and EdDSA, each measured beside its floors in the same run (group `verify_ALG`):
//!
//! - `authenticate`: `Auth::authenticate` on a POST with the four cookies and
//!   `X-CSRF-TOKEN` (Cookie header in, typed claims out, CSRF checked), revocation on with
//!   the default in-memory store; `authenticate_norevoke`: revocation disabled;
//! - `verify_token` and `jws_signature`: the token-level halves of it (`Auth::verify_token`,
//!   and the signature half alone), to locate the cost; `rejected_no_csrf`: the same POST
//!   without the CSRF header, refused;
//! - `jsonwebtoken_decode`: raw `jsonwebtoken::decode` of the same token;
//! - `hand_written`: a minimal verify from the same request (pre-keyed aws-lc-rs, split,
//!   one base64 decode per segment, one serde_json pass, exp and type, constant-time CSRF);
//! - `bare_signature`: the signature primitive alone over the signing input.
//!
//! Creation (group `create_ALG`): `create` is `create_login_tokens` + `set_access_cookies` +
//! `set_refresh_cookies`; `jsonwebtoken_encode` is `jsonwebtoken::encode` twice with
//! `format!` cookies; `bare_sign_x2` is the signing primitive twice.
//!
//! After criterion, the contenders of each group run again in alternation (batches of about
//! half a millisecond, round after round), and the ratios authjwt / floor are printed from
//! the fastest batch of each contender: on a machine shared with other work, interference
//! only ever adds time, and batches shorter than a scheduler slice often run undisturbed,
//! so best-of-N ratios hold up where separate measurements drift.
//! `cargo bench -p authjwt --bench verify`; see BENCHMARKS.md.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{ALGORITHMS, CREATE_OPS, Fixture, Operation, VERIFY_OPS, operations};
use criterion::Criterion;

/// ns/iteration of every criterion sample taken, by benchmark id.
static SAMPLES: Mutex<BTreeMap<String, Vec<f64>>> = Mutex::new(BTreeMap::new());

fn group_of(alg: &str, op: &str) -> String {
    if CREATE_OPS.contains(&op) {
        format!("create_{alg}")
    } else {
        format!("verify_{alg}")
    }
}

fn record(id: &str, elapsed: Duration, iters: u64) {
    // Criterion's first warm-up calls run a handful of iterations; they measure the clock.
    if iters < 10 {
        return;
    }
    let per_iter = elapsed.as_secs_f64() * 1e9 / iters as f64;
    let mut samples = SAMPLES.lock().unwrap_or_else(|e| e.into_inner());
    samples.entry(id.to_owned()).or_default().push(per_iter);
}

fn criterion_median(id: &str) -> Option<f64> {
    let samples = SAMPLES.lock().unwrap_or_else(|e| e.into_inner());
    median(samples.get(id)?.clone())
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// Registers every operation of `fx` with criterion, timed by a plain loop that also
/// records its samples.
fn criterion_benches(c: &mut Criterion, fx: &Fixture) {
    for (op, _, mut f) in operations(fx) {
        assert!(f(), "{}/{op} succeeds", fx.name);
        let id = format!("{}/{op}", group_of(fx.name, op));
        c.bench_function(&id, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(f());
                }
                let elapsed = start.elapsed();
                record(&id, elapsed, iters);
                elapsed
            });
        });
    }
}

/// The alternating pass: ns/op of each operation, one value per round.
fn interleaved(ops: &mut [Operation<'_>], rounds: usize) -> BTreeMap<&'static str, Vec<f64>> {
    const BATCH: Duration = Duration::from_micros(500);
    let mut batch = Vec::with_capacity(ops.len());
    for (_, _, f) in ops.iter_mut() {
        let mut n = 1u64;
        loop {
            let start = Instant::now();
            for _ in 0..n {
                black_box(f());
            }
            if start.elapsed() >= BATCH / 4 || n >= 1 << 20 {
                let per = start.elapsed().as_secs_f64() / n as f64;
                batch.push(((BATCH.as_secs_f64() / per) as u64).max(1));
                break;
            }
            n *= 2;
        }
    }
    let mut out: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
    for round in 0..rounds {
        // Rotate the order so that no contender always follows the same one.
        for k in 0..ops.len() {
            let i = (k + round) % ops.len();
            let (id, _, f) = &mut ops[i];
            let start = Instant::now();
            for _ in 0..batch[i] {
                black_box(f());
            }
            let ns = start.elapsed().as_secs_f64() * 1e9 / batch[i] as f64;
            out.entry(*id).or_default().push(ns);
        }
    }
    out
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 10_000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

/// The fastest batch of an operation, ns/op.
fn best(times: &BTreeMap<&str, Vec<f64>>, op: &str) -> Option<f64> {
    times.get(op)?.iter().copied().min_by(f64::total_cmp)
}

/// best(a) / best(b).
fn ratio(times: &BTreeMap<&str, Vec<f64>>, a: &str, b: &str) -> Option<f64> {
    Some(best(times, a)? / best(times, b)?)
}

fn report(fx: &Fixture, rounds: usize) {
    let mut ops = operations(fx);
    let times = interleaved(&mut ops, rounds);
    let cell = |a: &str, b: &str| ratio(&times, a, b).map_or("-".to_owned(), |r| format!("{r:.2}"));
    let crit = |op: &str| {
        criterion_median(&format!("{}/{op}", group_of(fx.name, op))).map_or("-".to_owned(), fmt_ns)
    };
    let alt = |op: &str| best(&times, op).map_or("-".to_owned(), fmt_ns);
    println!();
    println!(
        "verify_{}   (best of {rounds} alternating batches; criterion: median of its samples)",
        fx.name
    );
    println!(
        "  {:<24} {:>10} {:>10} {:>8} {:>8} {:>8}",
        "operation", "best", "criterion", "/hand", "/decode", "/bare"
    );
    for op in VERIFY_OPS {
        let ratios = if op.starts_with("authenticate")
            || ["verify_token", "jws_signature", "rejected_no_csrf"].contains(&op)
        {
            (
                cell(op, "hand_written"),
                cell(op, "jsonwebtoken_decode"),
                cell(op, "bare_signature"),
            )
        } else {
            (String::new(), String::new(), String::new())
        };
        println!(
            "  {op:<24} {:>10} {:>10} {:>8} {:>8} {:>8}",
            alt(op),
            crit(op),
            ratios.0,
            ratios.1,
            ratios.2
        );
    }
    println!(
        "create_{}: create {} (criterion {}), jsonwebtoken_encode {}, bare_sign_x2 {}; \
         create/encode {}, create/bare {}",
        fx.name,
        alt("create"),
        crit("create"),
        alt("jsonwebtoken_encode"),
        alt("bare_sign_x2"),
        cell("create", "jsonwebtoken_encode"),
        cell("create", "bare_sign_x2"),
    );
}

fn main() {
    common::install_jsonwebtoken_provider();
    let args: Vec<String> = std::env::args().collect();
    let quick = args
        .iter()
        .any(|a| a == "--test" || a == "--list" || a.starts_with("--profile-time"));
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40)
        .configure_from_args();
    let fixtures: Vec<Fixture> = ALGORITHMS.into_iter().map(Fixture::new).collect();
    for fx in &fixtures {
        criterion_benches(&mut c, fx);
    }
    c.final_summary();
    if quick {
        return;
    }
    let rounds = std::env::var("AUTHJWT_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(101);
    // A criterion filter (`cargo bench --bench verify -- HS256`) limits this pass too.
    let filter = args.iter().skip(1).find(|a| !a.starts_with('-'));
    println!();
    println!("== ratios authjwt / floor (best batch of each; lower is better)");
    for fx in &fixtures {
        if filter.is_none_or(|f| fx.name.contains(f.as_str()) || f.contains(fx.name)) {
            report(fx, rounds);
        }
    }
}
