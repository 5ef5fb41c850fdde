//! The load benchmark's reporter: everything the benchmark scripts compute.
//!
//! The scripts start processes and keep what they print: `scripts/bench-servers.sh` the demo,
//! the floor and redis-server, `scripts/bench-wrk.sh` the wrk runs (one file per run),
//! `scripts/bench-instructions.sh` valgrind. This crate reads those outputs and does the rest:
//!
//! - [`wrk`] parses the output of one wrk run (requests/s, p50 and p99 latency, requests,
//!   non-2xx responses, socket errors);
//! - [`stats`] has the statistics over rounds: the median, the best, the per-round ratios;
//! - [`report`] reads a directory of kept wrk outputs and renders the results table of two
//!   servers measured side by side;
//! - [`callgrind`] reads callgrind's instruction counts and renders the instructions table.
//!
//! The binary, `authjwt-bench-report`, is what the scripts call:
//!
//! ```text
//! authjwt-bench-report summary WRK_OUTPUT...           one line per run: rps=… p50_us=… p99_us=… …
//! authjwt-bench-report table DIR A B [LABEL_A LABEL_B] the results table of servers A and B
//! authjwt-bench-report instructions ROUNDS CORNER GRID the instructions table (GRID: ROW\tCOLUMN\tLOG lines)
//! ```
//!
//! `table` can be run again by hand on the outputs a run kept (`target/bench/results.wrk/`).
//!
//! **Why a workspace member of its own.** `authjwt-floor` is the floor server and nothing else:
//! it is what the demo is measured against, and a reporter inside it would blur that. An
//! `xtask` crate usually means a cargo alias that drives the whole build, while the scripts
//! still do that here (they start servers pinned to CPUs, which is shell's job). A small
//! member with no dependencies builds in about a second, is never published, and its tests
//! (captured wrk outputs in `testdata/`) run with the workspace's (`cargo test --workspace`,
//! `scripts/test.sh`).

use std::fmt;

pub mod callgrind;
pub mod report;
pub mod stats;
pub mod wrk;

/// Why an output could not be read or a table could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}
