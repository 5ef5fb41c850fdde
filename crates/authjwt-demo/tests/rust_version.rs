//! The library's `rust-version` is derived, not guessed: it equals the highest `rust-version`
//! declared by any package the library depends on (every feature; normal and build
//! dependencies, not dev-dependencies), and is at least the minimum of its edition (2024:
//! 1.85). Read from `cargo metadata --offline`, so nothing leaves the machine.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// Edition 2024 was stabilised in Rust 1.85.
const EDITION_2024_MINIMUM: (u64, u64) = (1, 85);

fn version(s: &str) -> (u64, u64) {
    let mut parts = s.split('.').map(|p| p.parse::<u64>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap_or(0))
}

fn cargo(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO")).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn rust_version_is_the_highest_the_dependencies_declare() {
    let host = String::from_utf8(cargo(&["-vV"])).unwrap();
    let host = host
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned();
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../authjwt/Cargo.toml");
    let metadata: Value = serde_json::from_slice(&cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--offline",
        "--all-features",
        "--filter-platform",
        &host,
        "--manifest-path",
        manifest,
    ]))
    .unwrap();

    let packages: HashMap<&str, &Value> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let authjwt = packages.values().find(|p| p["name"] == "authjwt").unwrap();

    // Every package reachable from authjwt through normal or build dependencies.
    let mut seen = BTreeSet::new();
    let mut stack = vec![authjwt["id"].as_str().unwrap()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let used = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if used {
                stack.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    seen.remove(authjwt["id"].as_str().unwrap());
    assert!(
        seen.len() > 50,
        "the dependency tree: {} packages",
        seen.len()
    );

    let declared: Vec<((u64, u64), String)> = seen
        .iter()
        .filter_map(|id| {
            let p = packages[id];
            let v = p["rust_version"].as_str()?;
            Some((version(v), format!("{} {}", p["name"], p["version"])))
        })
        .collect();
    let highest = declared.iter().map(|(v, _)| *v).max().unwrap();
    let needed = highest.max(EDITION_2024_MINIMUM);
    let by: Vec<&str> = declared
        .iter()
        .filter(|(v, _)| *v == highest)
        .map(|(_, p)| p.as_str())
        .collect();
    let ours = version(authjwt["rust_version"].as_str().unwrap());
    assert_eq!(
        ours, needed,
        "authjwt's rust-version should be {}.{}, the highest its dependencies declare ({by:?}); \
         change [workspace.package] rust-version and the README",
        needed.0, needed.1
    );
}
