//! The results table of two servers measured side by side.
//!
//! `scripts/bench-wrk.sh` keeps every measured wrk run in a directory laid out as
//!
//! ```text
//! DIR/0/label        the scenario's name, one line: GET /protected
//! DIR/0/demo.1       wrk's output for server `demo`, round 1
//! DIR/0/floor.1      ... server `floor`, round 1
//! DIR/0/demo.2       ...
//! DIR/1/label        the next scenario (scenarios are numbered in table order)
//! ```
//!
//! and [`table`] renders, per scenario, each server's median and best requests/s, its median
//! p99, and the median over rounds of the ratio A / B of the same round.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::Error;
use crate::stats::{best, median, round_ratios};
use crate::wrk::{self, WrkRun};

/// One scenario (a route and how it is called) and its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Its name in the table, e.g. `GET /protected`.
    pub label: String,
    /// Server name → round → the run.
    pub runs: BTreeMap<String, BTreeMap<u32, WrkRun>>,
}

/// Reads the scenarios of `dir` (see the module documentation), in table order.
pub fn load(dir: &Path) -> Result<Vec<Scenario>, Error> {
    let mut numbered = BTreeMap::new();
    for entry in read_dir(dir)? {
        let name = entry.file_name().to_string_lossy().into_owned();
        let index: u32 = name.parse().map_err(|_| {
            Error::new(format!(
                "{}: `{name}` is not a scenario number",
                dir.display()
            ))
        })?;
        numbered.insert(index, load_scenario(&entry.path())?);
    }
    if numbered.is_empty() {
        return Err(Error::new(format!("{}: no scenarios", dir.display())));
    }
    Ok(numbered.into_values().collect())
}

fn load_scenario(dir: &Path) -> Result<Scenario, Error> {
    let mut label = None;
    let mut runs: BTreeMap<String, BTreeMap<u32, WrkRun>> = BTreeMap::new();
    for entry in read_dir(dir)? {
        let path = entry.path();
        let text = fs::read_to_string(&path)
            .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "label" {
            label = Some(text.trim().to_owned());
            continue;
        }
        let round = name
            .rsplit_once('.')
            .and_then(|(server, round)| Some((server, round.parse::<u32>().ok()?)));
        let Some((server, round)) = round else {
            return Err(Error::new(format!(
                "{}: expected SERVER.ROUND (e.g. demo.1) or label",
                path.display()
            )));
        };
        let run = wrk::parse(&text).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        runs.entry(server.to_owned())
            .or_default()
            .insert(round, run);
    }
    let label = label.ok_or_else(|| Error::new(format!("{}: no label file", dir.display())))?;
    Ok(Scenario { label, runs })
}

fn read_dir(dir: &Path) -> Result<Vec<fs::DirEntry>, Error> {
    fs::read_dir(dir)
        .and_then(|entries| entries.collect())
        .map_err(|e| Error::new(format!("{}: {e}", dir.display())))
}

/// The figures of one server in one scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    rps_median: f64,
    rps_best: f64,
    p99_median: f64,
    socket_errors_median: f64,
}

fn figures(scenario: &Scenario, server: &str) -> Result<(Figures, BTreeMap<u32, f64>), Error> {
    let runs = scenario
        .runs
        .get(server)
        .filter(|runs| !runs.is_empty())
        .ok_or_else(|| {
            Error::new(format!(
                "no run of `{server}` for {} (servers measured: {})",
                scenario.label,
                scenario.runs.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
    let of = |f: fn(&WrkRun) -> f64| runs.values().map(f).collect::<Vec<_>>();
    let rps = of(|r| r.rps);
    // `runs` is not empty: every median and best exists.
    let figures = Figures {
        rps_median: median(&rps).unwrap_or_default(),
        rps_best: best(&rps).unwrap_or_default(),
        p99_median: median(&of(|r| r.p99_us)).unwrap_or_default(),
        socket_errors_median: median(&of(|r| r.socket_errors as f64)).unwrap_or_default(),
    };
    let by_round = runs.iter().map(|(round, run)| (*round, run.rps)).collect();
    Ok((figures, by_round))
}

/// The Markdown table of servers `a` and `b` (named `label_a` and `label_b` in its header),
/// one row per scenario, and the note on how its figures are taken.
pub fn table(
    scenarios: &[Scenario],
    (a, b): (&str, &str),
    (label_a, label_b): (&str, &str),
) -> Result<String, Error> {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "| scenario | {label_a} req/s (median / best) | {label_a} p99 \
         | {label_b} req/s (median / best) | {label_b} p99 | {label_a}/{label_b} |"
    );
    out.push_str("|---|---:|---:|---:|---:|---:|\n");
    for scenario in scenarios {
        let (fa, rounds_a) = figures(scenario, a)?;
        let (fb, rounds_b) = figures(scenario, b)?;
        let ratio = median(&round_ratios(&rounds_a, &rounds_b))
            .map_or_else(|| "n/a".to_owned(), |r| format!("{r:.3}"));
        let _ = writeln!(
            out,
            "| {} | {:.0} / {:.0} | {:.0} µs | {:.0} / {:.0} | {:.0} µs | {ratio} |",
            scenario.label,
            fa.rps_median,
            fa.rps_best,
            fa.p99_median,
            fb.rps_median,
            fb.rps_best,
            fb.p99_median,
        );
        if fa.socket_errors_median != 0.0 || fb.socket_errors_median != 0.0 {
            let _ = writeln!(
                out,
                "|   (socket errors: {label_a} {:.0}, {label_b} {:.0}) | | | | | |",
                fa.socket_errors_median, fb.socket_errors_median
            );
        }
    }
    out.push('\n');
    out.push_str(
        "p99 is the median of the rounds' p99; the ratio is the median of the per-round ratios\n\
         (each round measures both servers back to back, so they see similar machine load).\n",
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rps: f64, p99_us: f64, socket_errors: u64) -> WrkRun {
        WrkRun {
            rps,
            p50_us: p99_us / 2.0,
            p99_us,
            exact_latency: true,
            requests: (rps * 10.0) as u64,
            non2xx: 0,
            socket_errors,
        }
    }

    fn scenario(label: &str, a: &[(u32, WrkRun)], b: &[(u32, WrkRun)]) -> Scenario {
        Scenario {
            label: label.to_owned(),
            runs: BTreeMap::from([
                ("demo".to_owned(), a.iter().copied().collect()),
                ("floor".to_owned(), b.iter().copied().collect()),
            ]),
        }
    }

    #[test]
    fn renders_medians_bests_and_round_ratios() {
        // Five rounds of POST /posts from BENCHMARKS.md's bimodal example: the demo's median
        // is below the floor's while the median of the per-round ratios is above 1.
        let demo = [67221.0, 77399.0, 66000.0, 76000.0, 66800.0];
        let floor = [63900.0, 81100.0, 62600.0, 74600.0, 63700.0];
        let p99 = [1507.0, 1400.0, 1600.0, 1450.0, 1550.0];
        let rounds = |rps: &[f64]| -> Vec<(u32, WrkRun)> {
            rps.iter()
                .zip(p99)
                .enumerate()
                .map(|(i, (rps, p99))| (i as u32 + 1, run(*rps, p99, 0)))
                .collect()
        };
        let scenarios = [scenario(
            "POST /posts (CSRF)",
            &rounds(&demo),
            &rounds(&floor),
        )];
        let table = table(&scenarios, ("demo", "floor"), ("demo", "floor")).unwrap();
        assert_eq!(
            table,
            "| scenario | demo req/s (median / best) | demo p99 | floor req/s (median / best) \
             | floor p99 | demo/floor |\n\
             |---|---:|---:|---:|---:|---:|\n\
             | POST /posts (CSRF) | 67221 / 77399 | 1507 µs | 63900 / 81100 | 1507 µs | 1.049 |\n\
             \n\
             p99 is the median of the rounds' p99; the ratio is the median of the per-round \
             ratios\n\
             (each round measures both servers back to back, so they see similar machine load).\n"
        );
    }

    #[test]
    fn labels_may_differ_from_server_names() {
        let s = scenario(
            "GET /protected",
            &[(1, run(2.0, 10.0, 0))],
            &[(1, run(1.0, 20.0, 0))],
        );
        let table = table(&[s], ("demo", "floor"), ("redis", "memory")).unwrap();
        assert!(table.starts_with(
            "| scenario | redis req/s (median / best) | redis p99 | memory req/s (median / best) \
             | memory p99 | redis/memory |\n"
        ));
        assert!(table.contains("| GET /protected | 2 / 2 | 10 µs | 1 / 1 | 20 µs | 2.000 |\n"));
    }

    #[test]
    fn socket_errors_get_their_own_row() {
        let s = scenario(
            "GET /protected",
            &[(1, run(100.0, 10.0, 4)), (2, run(100.0, 10.0, 6))],
            &[(1, run(100.0, 10.0, 0)), (2, run(100.0, 10.0, 0))],
        );
        let table = table(&[s], ("demo", "floor"), ("demo", "floor")).unwrap();
        assert!(
            table.contains("|   (socket errors: demo 4, floor 0) | | | | | |\n"),
            "{table}"
        );
        let quiet = scenario("GET /", &[(1, run(1.0, 1.0, 0))], &[(1, run(1.0, 1.0, 0))]);
        let table = super::table(&[quiet], ("demo", "floor"), ("demo", "floor")).unwrap();
        assert!(!table.contains("socket errors"));
    }

    #[test]
    fn a_ratio_needs_a_round_with_both() {
        let s = scenario("GET /", &[(1, run(1.0, 1.0, 0))], &[(2, run(1.0, 1.0, 0))]);
        let table = table(&[s], ("demo", "floor"), ("demo", "floor")).unwrap();
        assert!(table.contains("| n/a |"), "{table}");
    }

    #[test]
    fn a_server_without_runs_is_an_error() {
        let s = scenario("GET /", &[(1, run(1.0, 1.0, 0))], &[]);
        let err = table(&[s], ("demo", "floor"), ("demo", "floor")).unwrap_err();
        assert!(
            err.to_string().contains("no run of `floor` for GET /"),
            "{err}"
        );
        let s = scenario("GET /", &[(1, run(1.0, 1.0, 0))], &[(1, run(1.0, 1.0, 0))]);
        assert!(table(&[s], ("demo", "redis"), ("demo", "redis")).is_err());
    }

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(std::path::PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "authjwt-bench-report-{}-{name}",
                std::process::id()
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn loads_a_directory_of_kept_wrk_outputs() {
        let tmp = TempDir::new("load");
        let write = |path: &str, text: &str| {
            let path = tmp.0.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        // Scenario 10 sorts after 2: numbers, not text.
        for (index, label, output) in [
            (
                "2",
                "POST /posts (CSRF)",
                include_str!("../testdata/wrk-post.txt"),
            ),
            (
                "10",
                "POST /posts rejected (no CSRF)",
                include_str!("../testdata/wrk-rejected.txt"),
            ),
            (
                "1",
                "GET /protected",
                include_str!("../testdata/wrk-get.txt"),
            ),
        ] {
            write(&format!("{index}/label"), &format!("{label}\n"));
            write(&format!("{index}/demo.1"), output);
            write(&format!("{index}/floor.1"), output);
        }
        let scenarios = load(&tmp.0).unwrap();
        let labels: Vec<_> = scenarios.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "GET /protected",
                "POST /posts (CSRF)",
                "POST /posts rejected (no CSRF)"
            ]
        );
        assert_eq!(scenarios[0].runs["demo"][&1].p99_us, 76898.0);
        let table = table(&scenarios, ("demo", "floor"), ("demo", "floor")).unwrap();
        assert!(table.contains(
            "| GET /protected | 20085 / 20085 | 76898 µs | 20085 / 20085 | 76898 µs | 1.000 |\n"
        ));

        write("1/demo.x", "");
        assert!(
            load(&tmp.0)
                .unwrap_err()
                .to_string()
                .contains("SERVER.ROUND")
        );
        fs::remove_file(tmp.0.join("1/demo.x")).unwrap();
        write(
            "1/demo.2",
            "unable to connect to 127.0.0.1:1 Connection refused\n",
        );
        assert!(load(&tmp.0).unwrap_err().to_string().contains("demo.2"));
        fs::remove_file(tmp.0.join("1/demo.2")).unwrap();
        fs::remove_file(tmp.0.join("2/label")).unwrap();
        assert!(
            load(&tmp.0)
                .unwrap_err()
                .to_string()
                .contains("no label file")
        );
        write("notes", "");
        assert!(load(&tmp.0).is_err());
    }

    #[test]
    fn an_empty_directory_has_no_scenarios() {
        let tmp = TempDir::new("empty");
        assert!(
            load(&tmp.0)
                .unwrap_err()
                .to_string()
                .contains("no scenarios")
        );
        assert!(load(&tmp.0.join("missing")).is_err());
    }
}
