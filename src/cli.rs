//! The command-line surface of ltops, as clap derive types and nothing else, so that
//! completions, the man page and `--help` snapshots all come from one definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The operator command line of leadtributor.cloud.
///
/// Every action goes through your personal AWS SSO identity and lands in a
/// tamper-evident audit log. Data goes to stdout, status and prompts to stderr.
///
/// Exit codes: 0 ok · 1 the command ran and the answer is "no" · 2 it could not
/// run (usage, config, identity, AWS, database) · 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "ltops", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region [default: from the config file, then the profile]
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Output format of the data written to stdout
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// More detail on stderr (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Answer yes to confirmations (needed for mutating commands without a terminal)
    #[arg(long, global = true)]
    pub yes: bool,

    /// Never prompt, even on a terminal; refuse instead of asking
    #[arg(long, global = true)]
    pub no_input: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable tables
    Table,
    /// JSON with a schema_version (a stable contract for scripts)
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with AWS SSO (device authorization); shares its token cache with `aws sso login`
    Login(LoginArgs),
    /// Sign out: revoke the SSO token at the portal and delete it from the cache
    Logout(LogoutArgs),
    /// Show who you are in AWS and which mutating commands you may run
    Whoami(WhoamiArgs),
    /// Inspect the resolved configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script to stdout
    Completions(CompletionsArgs),
    /// Write the man pages (roff) to stdout or to a folder
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Do not try to open a browser; only print the URL and code
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Answer whether this identity may run COMMAND (exit 0 yes, 1 no), e.g. `tenant.erase`
    #[arg(long, value_name = "COMMAND")]
    pub can: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the settings ltops resolved from flags, environment and the config file
    Show,
    /// Validate the config file (exit 2 with file:line:column when it is malformed)
    Check,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command into this folder instead of printing ltops(1)
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}
