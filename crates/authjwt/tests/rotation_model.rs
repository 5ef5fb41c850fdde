//! Refresh rotation against a reference model, over random sequences of presentations,
//! clock steps and logouts: at most one live successor per token, nothing accepted after the
//! session ended, reuse outside the window always ends the session.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "redis")]
mod redis_harness;

use authjwt::revoke::{MemoryStore, RevocationStore, Rotation, RotationRequest};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Present the token `back` places before the newest issued one, `step_ms` later.
    Present { back: usize, step_ms: u64 },
    /// Present an id this session never issued.
    Foreign,
    /// Logout: the session's family is revoked.
    Logout,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0usize..4, 0u64..2_000).prop_map(|(back, step_ms)| Op::Present { back, step_ms }),
        1 => Just(Op::Foreign),
        1 => Just(Op::Logout),
    ]
}

/// The chain as a user would describe it: the tokens in order, when each was rotated, and
/// whether the session ended.
#[derive(Debug, Default)]
struct Model {
    chain: Vec<String>,
    rotated_at: Vec<Option<u64>>,
    ended: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Rotated,
    Replayed(String),
    Reused,
    Ended,
}

impl Model {
    fn present(&mut self, index: Option<usize>, now: u64, window: u64, successor: &str) -> Expect {
        if self.ended {
            return Expect::Ended;
        }
        if self.chain.len() == 1 {
            // Nothing was rotated yet, so there is no record: the presented token is adopted
            // as the session's current one (how tokens of an earlier release carry on).
            let presented = index.map_or_else(|| "foreign".to_owned(), |i| self.chain[i].clone());
            self.chain = vec![presented, successor.to_owned()];
            self.rotated_at = vec![Some(now), None];
            return Expect::Rotated;
        }
        let current = self.chain.len() - 1;
        match index {
            Some(i) if i == current => {
                self.rotated_at[i] = Some(now);
                self.chain.push(successor.to_owned());
                self.rotated_at.push(None);
                Expect::Rotated
            }
            Some(i)
                if i + 1 == current
                    && window > 0
                    && now.saturating_sub(self.rotated_at[i].unwrap()) <= window =>
            {
                Expect::Replayed(self.chain[current].clone())
            }
            _ => {
                self.ended = true;
                Expect::Reused
            }
        }
    }
}

fn run(ops: &[Op], window: u64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(check(&MemoryStore::new(), "s", ops, window));
}

/// Plays `ops` on `store` (session `session`) and on the model, comparing every answer.
async fn check(store: &dyn RevocationStore, session: &str, ops: &[Op], window: u64) {
    {
        let mut model = Model {
            chain: vec!["t0".into()],
            rotated_at: vec![None],
            ended: false,
        };
        let mut now = 1_700_000_000_000u64;
        let mut live_successors = std::collections::HashMap::<String, String>::new();
        for (n, op) in ops.iter().enumerate() {
            let successor = format!("t{}", n + 1);
            let (presented, index) = match op {
                // Once adopted, "foreign" is part of the chain: present it by its index.
                Op::Foreign if model.chain[0] == "foreign" => ("foreign".to_owned(), Some(0)),
                Op::Logout => {
                    store.revoke_family(session, 4_102_444_800).await.unwrap();
                    model.ended = true;
                    continue;
                }
                Op::Foreign => ("foreign".to_owned(), None),
                Op::Present { back, step_ms } => {
                    now += step_ms;
                    let i = model.chain.len().saturating_sub(1 + back);
                    (model.chain[i].clone(), Some(i))
                }
            };
            let request = RotationRequest {
                session,
                presented: &presented,
                subject: "u",
                issued_at: 1,
                presented_expires_at: 4_102_444_800,
                successor: &successor,
                signature: None,
                now_ms: now,
                window_ms: window,
                expires_at: 4_102_444_800,
            };
            let got = store.rotate(&request).await.unwrap();
            let want = model.present(index, now, window, &successor);
            let got = match got {
                Rotation::Rotated => Expect::Rotated,
                Rotation::Replayed(s) => Expect::Replayed(s.jti),
                Rotation::Reused => Expect::Reused,
                Rotation::Ended => Expect::Ended,
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(got, want, "step {n}: {op:?}");
            // One successor per token, whatever the path to it.
            let answer = match &got {
                Expect::Rotated => Some(successor.clone()),
                Expect::Replayed(s) => Some(s.clone()),
                _ => None,
            };
            if let Some(answer) = answer {
                let first = live_successors
                    .entry(presented.clone())
                    .or_insert(answer.clone());
                assert_eq!(*first, answer, "two successors for {presented}");
            }
        }
    }
}

/// The Redis store runs the same decision as a Lua script: held to the same model, on a real
/// redis-server (one for all cases, a new session id per case).
#[cfg(feature = "redis")]
mod redis_model {
    use proptest::test_runner::{Config, TestRunner};

    use super::*;
    use crate::redis_harness::RedisServer;

    #[test]
    fn the_redis_script_follows_the_model() {
        let server = RedisServer::start();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store = rt.block_on(async {
            authjwt::revoke::redis::RedisStore::connect(&server.url())
                .await
                .unwrap()
        });
        let mut runner = TestRunner::new(Config {
            cases: 96,
            failure_persistence: None,
            ..Config::default()
        });
        let case = std::cell::Cell::new(0u32);
        let cases = (proptest::collection::vec(op(), 1..30), any::<bool>());
        runner
            .run(&cases, |(ops, strict)| {
                // A new session per case: every case starts without a record.
                case.set(case.get() + 1);
                let window = if strict { 0 } else { 1_000 };
                let session = format!("case-{}", case.get());
                rt.block_on(check(&store, &session, &ops, window));
                Ok(())
            })
            .unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rotation_follows_the_model_with_a_window(ops in proptest::collection::vec(op(), 1..40)) {
        run(&ops, 1_000);
    }

    #[test]
    fn strict_rotation_follows_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        run(&ops, 0);
    }
}
