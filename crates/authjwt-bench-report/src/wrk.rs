//! The output of one wrk run.
//!
//! wrk (4.x) prints, with `--latency`:
//!
//! ```text
//! Running 1s test @ http://127.0.0.1:39785
//!   1 threads and 50 connections
//!   Thread Stats   Avg      Stdev     Max   +/- Stdev
//!     Latency     6.59ms   13.88ms  89.38ms   92.21%
//!     Req/Sec    20.20k     5.68k   25.60k    80.00%
//!   Latency Distribution
//!      50%    1.88ms
//!      75%    5.16ms
//!      90%   13.87ms
//!      99%   76.90ms
//!   20310 requests in 1.01s, 3.54MB read
//!   Socket errors: connect 0, read 2, write 0, timeout 0
//!   Non-2xx or 3xx responses: 23038
//! Requests/sec:  20084.71
//! Transfer/sec:      3.51MB
//! Latency percentiles (us): p50=1878 p99=76898
//! ```
//!
//! The `Socket errors` and `Non-2xx` lines only appear when there are some. The last line is
//! printed by the request script (`scripts/bench-request.lua`): wrk rounds its percentiles to
//! three digits (877 µs prints as `0.88ms`), the script's `done` hook gives the two the
//! report uses exactly. Without that line the rounded distribution is used.

use std::fmt;

use crate::Error;

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WrkRun {
    /// Completed requests per second (`Requests/sec`).
    pub rps: f64,
    /// The median latency, in µs.
    pub p50_us: f64,
    /// The 99th percentile latency, in µs.
    pub p99_us: f64,
    /// Whether the percentiles are exact (the request script's line) or wrk's rounded ones.
    pub exact_latency: bool,
    /// Completed requests.
    pub requests: u64,
    /// Responses with a status above 399 (`Non-2xx or 3xx responses`; wrk counts 4xx and 5xx).
    pub non2xx: u64,
    /// Connect, read, write and timeout errors, summed.
    pub socket_errors: u64,
}

/// The line the request script's `done` hook prints.
const EXACT_PREFIX: &str = "Latency percentiles (us):";

/// Parses the whole output of one wrk run.
pub fn parse(output: &str) -> Result<WrkRun, Error> {
    let mut rps = None;
    let mut requests = None;
    let mut non2xx = 0;
    let mut socket_errors = 0;
    let mut rounded = (None, None);
    let mut exact = None;
    let mut in_distribution = false;

    for line in output.lines().map(str::trim) {
        if line == "Latency Distribution" {
            in_distribution = true;
            continue;
        }
        if in_distribution {
            if let Some((percent, value)) = distribution_line(line) {
                match percent {
                    "50" => rounded.0 = Some(duration_us(value)?),
                    "99" => rounded.1 = Some(duration_us(value)?),
                    _ => {}
                }
                continue;
            }
            in_distribution = false;
        }
        if let Some(value) = line.strip_prefix("Requests/sec:") {
            rps = Some(number(value.trim(), line)?);
        } else if let Some(value) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non2xx = integer(value.trim(), line)?;
        } else if let Some(counts) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 2, write 0, timeout 0"
            socket_errors = 0;
            for part in counts.split(',') {
                let count = part.split_whitespace().nth(1).unwrap_or_default();
                socket_errors += integer(count, line)?;
            }
        } else if let Some(values) = line.strip_prefix(EXACT_PREFIX) {
            exact = Some(exact_percentiles(values, line)?);
        } else if let [n, "requests", "in", ..] = line.split_whitespace().collect::<Vec<_>>()[..] {
            requests = Some(integer(n, line)?);
        }
    }

    let rps = rps.ok_or_else(|| Error::new("no `Requests/sec:` line: not the output of wrk"))?;
    let requests =
        requests.ok_or_else(|| Error::new("no `N requests in T` line: not the output of wrk"))?;
    let (p50_us, p99_us, exact_latency) = match (exact, rounded) {
        (Some((p50, p99)), _) => (p50, p99, true),
        (None, (Some(p50), Some(p99))) => (p50, p99, false),
        _ => {
            return Err(Error::new(
                "no latency percentiles: run wrk with --latency or scripts/bench-request.lua",
            ));
        }
    };
    Ok(WrkRun {
        rps,
        p50_us,
        p99_us,
        exact_latency,
        requests,
        non2xx,
        socket_errors,
    })
}

impl fmt::Display for WrkRun {
    /// One line, as the benchmark log shows each run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rps={:.1} p50_us={:.0} p99_us={:.0} requests={} non2xx={} socket_errors={}",
            self.rps, self.p50_us, self.p99_us, self.requests, self.non2xx, self.socket_errors
        )?;
        if !self.exact_latency {
            f.write_str(" (latency rounded by wrk)")?;
        }
        Ok(())
    }
}

/// `50%    1.88ms` → `("50", "1.88ms")`.
fn distribution_line(line: &str) -> Option<(&str, &str)> {
    let mut words = line.split_whitespace();
    let percent = words.next()?.strip_suffix('%')?;
    let value = words.next()?;
    if words.next().is_some() || percent.parse::<f64>().is_err() {
        return None;
    }
    Some((percent, value))
}

/// A wrk time: `612.34us`, `1.06ms`, `1.20s`, `2.50m`, `1.00h` → µs.
pub fn duration_us(value: &str) -> Result<f64, Error> {
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| Error::new(format!("`{value}`: a time without a unit")))?;
    let (amount, unit) = value.split_at(split);
    let scale = match unit {
        "us" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        "h" => 3600e6,
        _ => return Err(Error::new(format!("`{value}`: unknown time unit `{unit}`"))),
    };
    Ok(number(amount, value)? * scale)
}

/// `p50=1878 p99=76898` → `(1878.0, 76898.0)`.
fn exact_percentiles(values: &str, line: &str) -> Result<(f64, f64), Error> {
    let (mut p50, mut p99) = (None, None);
    for pair in values.split_whitespace() {
        match pair.split_once('=') {
            Some(("p50", v)) => p50 = Some(number(v, line)?),
            Some(("p99", v)) => p99 = Some(number(v, line)?),
            _ => {}
        }
    }
    match (p50, p99) {
        (Some(p50), Some(p99)) => Ok((p50, p99)),
        _ => Err(Error::new(format!("`{line}`: expected p50=… p99=…"))),
    }
}

fn number(value: &str, context: &str) -> Result<f64, Error> {
    value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| Error::new(format!("`{context}`: `{value}` is not a number")))
}

fn integer(value: &str, context: &str) -> Result<u64, Error> {
    value
        .parse()
        .map_err(|_| Error::new(format!("`{context}`: `{value}` is not a count")))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from `wrk -t1 -c50 -d1s --latency -s scripts/bench-request.lua` against the
    // demo on a loaded machine.
    const GET: &str = include_str!("../testdata/wrk-get.txt");
    const POST: &str = include_str!("../testdata/wrk-post.txt");
    const REJECTED: &str = include_str!("../testdata/wrk-rejected.txt");

    #[test]
    fn parses_a_run_with_the_exact_percentiles() {
        let run = parse(GET).unwrap();
        assert_eq!(
            run,
            WrkRun {
                rps: 20084.71,
                p50_us: 1878.0,
                p99_us: 76898.0,
                exact_latency: true,
                requests: 20310,
                non2xx: 0,
                socket_errors: 0,
            }
        );
        assert_eq!(
            run.to_string(),
            "rps=20084.7 p50_us=1878 p99_us=76898 requests=20310 non2xx=0 socket_errors=0"
        );
        let post = parse(POST).unwrap();
        assert_eq!(
            (post.rps, post.p99_us, post.requests),
            (16857.2, 37180.0, 16903)
        );
    }

    #[test]
    fn counts_non_2xx_responses() {
        let run = parse(REJECTED).unwrap();
        assert_eq!((run.requests, run.non2xx), (23038, 23038));
        assert_eq!((run.p50_us, run.p99_us), (1233.0, 13711.0));
    }

    #[test]
    fn without_the_script_line_uses_the_rounded_distribution() {
        let plain: String = GET
            .lines()
            .filter(|l| !l.starts_with(EXACT_PREFIX))
            .map(|l| format!("{l}\n"))
            .collect();
        let run = parse(&plain).unwrap();
        assert!(!run.exact_latency);
        assert_eq!(run.p50_us, 1880.0);
        assert_eq!(run.p99_us, 76900.0);
        assert!(run.to_string().ends_with("(latency rounded by wrk)"));
    }

    #[test]
    fn sums_socket_errors() {
        // wrk prints this line only when a count is not 0 (`printf("  Socket errors: connect
        // %d, read %d, write %d, timeout %d\n", ...)`): spliced into a captured output.
        let output = GET.replace(
            "  20310 requests in 1.01s, 3.54MB read\n",
            "  20310 requests in 1.01s, 3.54MB read\n  \
             Socket errors: connect 1, read 20, write 3, timeout 400\n",
        );
        assert_eq!(parse(&output).unwrap().socket_errors, 424);
    }

    #[test]
    fn reads_every_wrk_time_unit() {
        assert_eq!(duration_us("612.34us").unwrap(), 612.34);
        assert_eq!(duration_us("0.88ms").unwrap(), 880.0);
        assert_eq!(duration_us("1.20s").unwrap(), 1_200_000.0);
        assert_eq!(duration_us("2.50m").unwrap(), 150_000_000.0);
        assert_eq!(duration_us("1.00h").unwrap(), 3_600_000_000.0);
        assert!(duration_us("1.00").is_err());
        assert!(duration_us("1.00d").is_err());
        assert!(duration_us("xms").is_err());
    }

    #[test]
    fn the_thread_stats_latency_line_is_not_a_percentile() {
        // Only the lines under "Latency Distribution" are percentiles.
        let output = "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    \
                      Latency     6.59ms   13.88ms  89.38ms   92.21%\n  \
                      10 requests in 1.00s, 1.00KB read\nRequests/sec:     10.00\n";
        let err = parse(output).unwrap_err();
        assert!(err.to_string().contains("no latency percentiles"), "{err}");
    }

    #[test]
    fn refuses_what_is_not_wrk_output() {
        assert!(parse("").is_err());
        assert!(parse("unable to connect to 127.0.0.1:1 Connection refused\n").is_err());
        let no_rps: String = GET
            .lines()
            .filter(|l| !l.starts_with("Requests/sec"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            parse(&no_rps)
                .unwrap_err()
                .to_string()
                .contains("Requests/sec")
        );
        let bad = GET.replace("p99=76898", "p99=x");
        assert!(parse(&bad).is_err());
        let half = GET.replace(" p99=76898", "");
        assert!(
            parse(&half)
                .unwrap_err()
                .to_string()
                .contains("p50=… p99=…")
        );
    }
}
