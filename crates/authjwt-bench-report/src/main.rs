//! `authjwt-bench-report`: the figures and tables of the benchmark scripts, from the outputs
//! they keep (see the library's documentation).
//!
//! ```text
//! authjwt-bench-report summary WRK_OUTPUT...           one line per run: rps=… p50_us=… p99_us=… …
//! authjwt-bench-report table DIR A B [LABEL_A LABEL_B] the results table of servers A and B
//! authjwt-bench-report instructions ROUNDS CORNER GRID the instructions table (GRID: ROW\tCOLUMN\tLOG lines)
//! ```

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use authjwt_bench_report::{Error, callgrind, report, wrk};

const USAGE: &str = "usage:
  authjwt-bench-report summary WRK_OUTPUT...
  authjwt-bench-report table DIR A B [LABEL_A LABEL_B]
  authjwt-bench-report instructions ROUNDS CORNER GRID";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    match result {
        Ok(out) => match std::io::stdout().lock().write_all(out.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "authjwt-bench-report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[&str]) -> Result<String, Error> {
    match args {
        ["summary", files @ ..] if !files.is_empty() => {
            let mut out = String::new();
            for file in files {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| Error::new(format!("{file}: {e}")))?;
                let run = wrk::parse(&text).map_err(|e| Error::new(format!("{file}: {e}")))?;
                out.push_str(&format!("{run}\n"));
            }
            Ok(out)
        }
        ["table", dir, a, b] => report::table(&report::load(Path::new(dir))?, (a, b), (a, b)),
        ["table", dir, a, b, label_a, label_b] => {
            report::table(&report::load(Path::new(dir))?, (a, b), (label_a, label_b))
        }
        ["instructions", rounds, corner, grid] => {
            let rounds: u64 =
                rounds.parse().ok().filter(|r| *r > 0).ok_or_else(|| {
                    Error::new(format!("ROUNDS: `{rounds}` is not a count above 0"))
                })?;
            Ok(callgrind::table(
                corner,
                rounds,
                &callgrind::load_grid(Path::new(grid))?,
            ))
        }
        _ => Err(Error::new(USAGE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_prints_one_line_per_run() {
        let get = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/wrk-get.txt");
        let rejected = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/wrk-rejected.txt");
        assert_eq!(
            run(&["summary", get, rejected]).unwrap(),
            "rps=20084.7 p50_us=1878 p99_us=76898 requests=20310 non2xx=0 socket_errors=0\n\
             rps=23001.2 p50_us=1233 p99_us=13711 requests=23038 non2xx=23038 socket_errors=0\n"
        );
        let err = run(&["summary", "no-such-file"]).unwrap_err();
        assert!(err.to_string().starts_with("no-such-file: "), "{err}");
    }

    #[test]
    fn anything_else_is_the_usage() {
        for args in [
            &[][..],
            &["summary"],
            &["table", "dir", "a"],
            &["instructions", "0", "operation", "grid"],
            &["bench"],
        ] {
            let err = run(args).unwrap_err().to_string();
            assert!(
                err.contains("usage:") || err.contains("ROUNDS"),
                "{args:?}: {err}"
            );
        }
    }
}
