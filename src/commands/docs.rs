//! `ltops completions` and `ltops man`: generated from the clap definition so they
//! can never drift from the real command line (a test checks the committed copies).

use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell as CompleteShell;

use crate::ExitStatus;
use crate::cli::{Cli, CompletionsArgs, ManArgs, Shell};

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitStatus> {
    let shell = match args.shell {
        Shell::Bash => CompleteShell::Bash,
        Shell::Zsh => CompleteShell::Zsh,
        Shell::Fish => CompleteShell::Fish,
        Shell::Powershell => CompleteShell::PowerShell,
        Shell::Elvish => CompleteShell::Elvish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ltops", &mut buf);
    write_stdout(&buf)
}

pub fn man(args: &ManArgs) -> anyhow::Result<ExitStatus> {
    let cmd = Cli::command();
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write man pages to {}", dir.display()))?;
            Ok(ExitStatus::Success)
        }
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf)?;
            write_stdout(&buf)
        }
    }
}

fn write_stdout(buf: &[u8]) -> anyhow::Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    match out.write_all(buf).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitStatus::Success),
    }
}
