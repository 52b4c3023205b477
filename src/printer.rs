//! Output discipline in one place: data to stdout as a table or versioned JSON,
//! status, progress and prompts to stderr, so that pipes only ever see data.

use std::io::{self, IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::cli::Format;

pub use ltops_core::SCHEMA_VERSION;

/// A command's result. Each command has its own report type; the printer decides
/// how it looks.
pub trait Report: Serialize {
    /// Stable name of the document, emitted as `kind` in JSON.
    const KIND: &'static str;

    /// The human rendering, written to stdout for `--format table`.
    fn render_table(&self) -> String;
}

#[derive(Serialize)]
struct Envelope<'a, R: Serialize> {
    schema_version: u32,
    kind: &'static str,
    #[serde(flatten)]
    report: &'a R,
}

#[derive(Debug, Clone)]
pub struct Printer {
    format: Format,
    quiet: bool,
    verbosity: u8,
    stderr_tty: bool,
}

impl Printer {
    pub fn new(format: Format, quiet: bool, verbosity: u8) -> Printer {
        Printer {
            format,
            quiet,
            verbosity,
            stderr_tty: io::stderr().is_terminal(),
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Writes a report to stdout. A closed pipe (`ltops … | head`) is not an error.
    pub fn report<R: Report>(&self, report: &R) -> io::Result<()> {
        let text = match self.format {
            Format::Table => report.render_table(),
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&Envelope {
                    schema_version: SCHEMA_VERSION,
                    kind: R::KIND,
                    report,
                })
                .map_err(io::Error::other)?;
                s.push('\n');
                s
            }
        };
        write_stdout(&text)
    }

    /// A status line on stderr (suppressed by `-q`).
    pub fn status(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// Detail shown with `-v`.
    pub fn detail(&self, msg: impl AsRef<str>) {
        if !self.quiet && self.verbosity > 0 {
            eprintln!("{}", msg.as_ref());
        }
    }

    pub fn warn(&self, msg: impl AsRef<str>) {
        eprintln!("warning: {}", msg.as_ref());
    }

    /// A progress bar over `total` units; hidden off a terminal or with `-q`.
    pub fn progress(&self, total: u64, msg: impl Into<String>) -> ProgressBar {
        if self.quiet || !self.stderr_tty {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template(
            "{msg:24} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)",
        ) {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(msg.into());
        pb
    }

    /// A spinner for a long wait; hidden when stderr is not a terminal or with `-q`.
    pub fn spinner(&self, msg: impl Into<String>) -> ProgressBar {
        if self.quiet || !self.stderr_tty {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            pb.set_style(style);
        }
        pb.set_message(msg.into());
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    }
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A table in the house style; the width follows the terminal when there is one.
pub fn table<I, S>(header: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    t
}

/// Two-column key/value table for single-object reports.
pub fn key_value_table<'a>(rows: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v]);
    }
    format!("{t}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Demo {
        name: String,
    }

    impl Report for Demo {
        const KIND: &'static str = "demo";
        fn render_table(&self) -> String {
            key_value_table([("name", self.name.clone())])
        }
    }

    #[test]
    fn envelope_carries_schema_version_and_kind() {
        let json = serde_json::to_value(Envelope {
            schema_version: SCHEMA_VERSION,
            kind: Demo::KIND,
            report: &Demo { name: "x".into() },
        })
        .unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["kind"], "demo");
        assert_eq!(json["name"], "x");
    }

    #[test]
    fn key_value_table_shows_both_columns() {
        let t = Demo {
            name: "alice".into(),
        }
        .render_table();
        assert!(t.contains("name") && t.contains("alice"), "{t}");
    }
}
