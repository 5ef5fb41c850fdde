//! The instructions table of `scripts/bench-instructions.sh`.
//!
//! The script runs the alloc bench under callgrind once per case (an operation and an
//! algorithm, or a request and a router), `AUTHJWT_BENCH_ROUNDS` times in the measured loop,
//! keeps valgrind's output of each, and lists them in a grid file, one case a line:
//!
//! ```text
//! ROW<TAB>COLUMN<TAB>LOG      e.g. authenticate<TAB>HS256<TAB>…/HS256.authenticate.log
//! ```
//!
//! with LOG empty when the run failed. [`table`] divides each count by the rounds: the
//! instructions of one operation, with rows and columns in the order they first appear.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::Error;

/// One case of the grid and what callgrind counted for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The table row (the operation).
    pub row: String,
    /// The table column (the algorithm or router).
    pub column: String,
    /// The instructions counted over all rounds; `None` when the run failed.
    pub collected: Option<u64>,
}

/// The instruction count callgrind prints at exit (`==123== Collected : 566438`).
pub fn collected(log: &str) -> Option<u64> {
    log.lines()
        .filter_map(|line| line.split_once("Collected :"))
        .filter_map(|(_, count)| count.trim().parse().ok())
        .next_back()
}

/// Reads a grid file and each log it names.
pub fn load_grid(grid: &Path) -> Result<Vec<Cell>, Error> {
    let text =
        fs::read_to_string(grid).map_err(|e| Error::new(format!("{}: {e}", grid.display())))?;
    let mut cells = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.splitn(3, '\t');
        let (Some(row), Some(column), log) = (fields.next(), fields.next(), fields.next()) else {
            return Err(Error::new(format!(
                "{}: `{line}`: expected ROW<TAB>COLUMN<TAB>LOG",
                grid.display()
            )));
        };
        let collected = match log.filter(|l| !l.is_empty()) {
            None => None,
            Some(log) => {
                let text =
                    fs::read_to_string(log).map_err(|e| Error::new(format!("{log}: {e}")))?;
                Some(collected(&text).ok_or_else(|| {
                    Error::new(format!(
                        "{log}: no `Collected :` line: not callgrind's output"
                    ))
                })?)
            }
        };
        cells.push(Cell {
            row: row.to_owned(),
            column: column.to_owned(),
            collected,
        });
    }
    Ok(cells)
}

/// The Markdown table: `corner` heads the row names; each cell is the count divided by
/// `rounds` (whole instructions), `n/a` for a failed or missing case.
pub fn table(corner: &str, rounds: u64, cells: &[Cell]) -> String {
    let mut rows: Vec<&str> = Vec::new();
    let mut columns: Vec<&str> = Vec::new();
    for cell in cells {
        if !rows.contains(&cell.row.as_str()) {
            rows.push(&cell.row);
        }
        if !columns.contains(&cell.column.as_str()) {
            columns.push(&cell.column);
        }
    }
    let mut out = format!("| {corner} |");
    for column in &columns {
        let _ = write!(out, " {column} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(columns.len()));
    out.push('\n');
    for row in &rows {
        let _ = write!(out, "| {row} |");
        for column in &columns {
            let count = cells
                .iter()
                .find(|c| c.row == *row && c.column == *column)
                .and_then(|c| c.collected)
                .and_then(|n| n.checked_div(rounds));
            match count {
                Some(n) => {
                    let _ = write!(out, " {n} |");
                }
                None => out.push_str(" n/a |"),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured: the alloc bench under callgrind, 20 rounds of HS256/authenticate; and an
    // operation the bench does not know (it panics, callgrind still reports a count of 0).
    const AUTHENTICATE: &str = include_str!("../testdata/callgrind-hs256-authenticate.log");
    const UNKNOWN: &str = include_str!("../testdata/callgrind-unknown-operation.log");

    fn cell(row: &str, column: &str, collected: Option<u64>) -> Cell {
        Cell {
            row: row.to_owned(),
            column: column.to_owned(),
            collected,
        }
    }

    #[test]
    fn reads_the_collected_count() {
        assert_eq!(collected(AUTHENTICATE), Some(566_438));
        assert_eq!(collected(UNKNOWN), Some(0));
        assert_eq!(collected("==1== I   refs:      566,438\n"), None);
    }

    #[test]
    fn renders_a_grid_per_operation() {
        let cells = [
            cell("authenticate", "HS256", Some(566_438)),
            cell("authenticate", "RS256", Some(6_035_640)),
            cell("verify_token", "HS256", Some(501_960)),
            cell("verify_token", "RS256", None),
        ];
        assert_eq!(
            table("operation", 20, &cells),
            "| operation | HS256 | RS256 |\n\
             |---|---:|---:|\n\
             | authenticate | 28321 | 301782 |\n\
             | verify_token | 25098 | n/a |\n"
        );
    }

    #[test]
    fn a_missing_case_or_zero_rounds_is_not_a_number() {
        let cells = [
            cell("get", "authjwt", Some(10)),
            cell("post", "floor", Some(10)),
        ];
        assert_eq!(
            table("request", 1, &cells),
            "| request | authjwt | floor |\n|---|---:|---:|\n| get | 10 | n/a |\n| post | n/a | 10 |\n"
        );
        assert!(table("request", 0, &cells).contains("| get | n/a | n/a |"));
    }

    #[test]
    fn loads_a_grid_file() {
        let dir =
            std::env::temp_dir().join(format!("authjwt-bench-report-{}-grid", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let log = dir.join("HS256.authenticate.log");
        fs::write(&log, AUTHENTICATE).unwrap();
        let grid = dir.join("grid");
        fs::write(
            &grid,
            format!(
                "authenticate\tHS256\t{}\nauthenticate\tRS256\t\n",
                log.display()
            ),
        )
        .unwrap();
        let cells = load_grid(&grid).unwrap();
        assert_eq!(
            cells,
            [
                cell("authenticate", "HS256", Some(566_438)),
                cell("authenticate", "RS256", None),
            ]
        );

        fs::write(&grid, "authenticate HS256\n").unwrap();
        assert!(
            load_grid(&grid)
                .unwrap_err()
                .to_string()
                .contains("ROW<TAB>COLUMN<TAB>LOG")
        );
        fs::write(&log, "not callgrind\n").unwrap();
        fs::write(&grid, format!("a\tb\t{}\n", log.display())).unwrap();
        assert!(
            load_grid(&grid)
                .unwrap_err()
                .to_string()
                .contains("Collected")
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
