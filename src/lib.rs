//! ltops, the command line: parses the command line, runs the command on a Tokio runtime, prints the
//! error chain, and maps the result to the documented exit codes.

pub mod cli;
pub mod commands;
pub mod printer;

// The library's modules, under the names the command layer has always used.
pub use ltops_core::{
    Interrupted, Refused, approval, audit, aws, datamap, db, erasure, inspection, intervention,
    ops, restore, settings, tenant_id, tom, when,
};

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::settings::Env;

/// How a command ended, as the exit code tells a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done.
    Success,
    /// 1: the command ran and the answer is "no" (a control failed, the chain is
    /// broken, a plan is refused).
    No,
    /// 2: it could not run (usage, config, identity, AWS, database).
    Error,
    /// 130: interrupted (Ctrl-C).
    Interrupted,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::No => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted => 130,
        })
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; clap knows which is which.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let env = Env::from_process();
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot determine the current directory: {e}");
            return ExitStatus::Error.into();
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitStatus::Error.into();
        }
    };
    let result = runtime.block_on(async {
        let run = commands::run(cli, env, cwd);
        tokio::pin!(run);
        loop {
            tokio::select! {
                r = &mut run => break r,
                _ = tokio::signal::ctrl_c() => {
                    // A recorded action handles Ctrl-C itself (it records `aborted`
                    // before it stops); anything else just stops.
                    if !ops::mutation::in_recorded_section() {
                        break Err(Interrupted.into());
                    }
                }
            }
        }
    });
    // Do not wait for stray SDK tasks (retries, credential refresh) on the way out.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(status) => status.into(),
        Err(e) if e.is::<Interrupted>() => {
            eprintln!("interrupted");
            ExitStatus::Interrupted.into()
        }
        // The plan was refused (e.g. its approval is missing): the answer is no.
        Err(e) if e.downcast_ref::<Refused>().is_some() || e.chain().any(|c| c.is::<Refused>()) => {
            print_error(&e);
            ExitStatus::No.into()
        }
        Err(e) => {
            print_error(&e);
            ExitStatus::Error.into()
        }
    }
}

fn print_error(e: &anyhow::Error) {
    for (i, line) in error_lines(e).iter().enumerate() {
        if i == 0 {
            eprintln!("error: {line}");
        } else {
            eprintln!("  caused by: {line}");
        }
    }
}

/// The error and its causes, each said once: a cause whose text the line before
/// already contains (a message that quotes its source, e.g. "database: …") is
/// left out, and a multi-line text is folded onto its line.
fn error_lines(e: &anyhow::Error) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() || lines.last().is_some_and(|prev| prev.contains(&text)) {
            continue;
        }
        lines.push(text);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("database: permission denied for table leads")]
    struct Quoting(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("permission denied for table leads")]
    struct Inner;

    #[test]
    fn a_cause_the_line_before_quotes_is_said_once() {
        let e = anyhow::Error::new(Quoting(Inner)).context("cannot erase tenant t1");
        assert_eq!(
            error_lines(&e),
            [
                "cannot erase tenant t1",
                "database: permission denied for table leads"
            ]
        );
    }

    #[test]
    fn multi_line_texts_are_folded() {
        let e = anyhow::anyhow!("ERROR: x\nDETAIL: y\n");
        assert_eq!(error_lines(&e), ["ERROR: x DETAIL: y"]);
    }
}
