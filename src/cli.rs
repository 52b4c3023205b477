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
#[command(
    name = "ltops",
    version,
    propagate_version = true,
    max_term_width = 100
)]
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
    /// The tamper-evident audit log: show, verify, export, head; document interventions
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Tenants: list, inventory, erasure on the customer's instruction, the erasure ledger
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Point-in-time restore: plan, run, status, re-apply erasures to a restored copy
    #[command(subcommand)]
    Restore(RestoreCommand),
    /// Statutory retention: purge rows kept after erasures once their period has ended
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Correct customer data: one tenant, a reason, a preview with before/after images, recorded
    ///
    /// Every intervention runs in one transaction scoped to exactly one tenant by row-level
    /// security, shows every affected row before and after, commits only after confirmation
    /// (--yes without a terminal), and is recorded in the audit log with the images encrypted
    /// under the tenant key. --dry-run shows the preview and rolls back.
    #[command(subcommand)]
    Intervene(InterveneCommand),
    /// Read customer data: one tenant, a reason, personal columns masked, recorded, never stored
    ///
    /// Runs one SELECT (by table and key, or raw SQL) in a READ ONLY transaction scoped to
    /// exactly one tenant by row-level security; every row a table contributes is checked
    /// against the tenant columns. Columns the data map marks personal are masked (length,
    /// e-mail domain, a keyed hash to match equal values) unless revealed with --reveal, which
    /// works on a terminal only. The read is recorded in the audit log: the statement sealed
    /// under the tenant key, tables, row count, revealed columns — never a value.
    Inspect(InspectArgs),
    /// The annual TOM review (§9): controls, live checks, attestations, the report
    #[command(subcommand)]
    Tom(TomCommand),
    /// Four eyes on irreversible actions: list approval requests, approve or deny them
    ///
    /// Commands that `approvals.<command>` in the config gates (tenant erase, retention purge,
    /// restore run, intervene) run only with --approval ID: the requester records the plan with
    /// --request, another person from an allowed permission set approves it here, and the
    /// approval holds for exactly that plan (its digest), once, until it expires. --break-glass
    /// skips it during an incident, to be approved here afterwards.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
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

/// Why staff act (TOM §5): the controller's instruction or an incident, by reference.
#[derive(Debug, Clone, Args)]
pub struct ReasonArgs {
    /// Reference of the controller's (customer's) documented instruction, e.g. TICKET-4711
    #[arg(
        long,
        value_name = "REF",
        required_unless_present = "incident",
        conflicts_with = "incident"
    )]
    pub instruction: Option<String>,
    /// Reference of the incident this keeps the service running for, e.g. INC-2026-113
    #[arg(long, value_name = "REF")]
    pub incident: Option<String>,
    /// Free text to go with the reference (free text alone is not a reason)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// Four eyes (`approvals.<command>` in the config): ask for an approval, use
/// one, or skip it in an incident.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Four eyes (approvals.<command> in the config)")]
pub struct ApprovalArgs {
    /// Show the plan and record an approval request for it; change nothing
    #[arg(long, conflicts_with_all = ["approval", "break_glass", "dry_run"])]
    pub request: bool,
    /// Run under the approval request ID, approved by another person for exactly this plan
    #[arg(long, value_name = "ID", conflicts_with_all = ["break_glass", "dry_run"])]
    pub approval: Option<String>,
    /// Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards
    #[arg(long, conflicts_with = "dry_run")]
    pub break_glass: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// Approval requests and break-glass uses still waiting for someone, with their plans
    List(ApprovalsListArgs),
    /// Approve a request (or a break-glass use, afterwards) after reviewing its plan
    Approve(ApprovalsApproveArgs),
    /// Deny a request or a break-glass use, saying why
    Deny(ApprovalsDenyArgs),
    /// Pin this config's `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator's own ltops.yaml says; it can only be made stricter
    Pin(ApprovalsPinArgs),
}

#[derive(Debug, Args)]
pub struct ApprovalsPinArgs {
    /// Show the pinned and the proposed policy, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ApprovalsListArgs {
    /// Every request with its story: requested, approved or denied, used, expired
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ApprovalsApproveArgs {
    /// The request's ID (as `approvals list` shows it)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Free text to go with the approval
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct ApprovalsDenyArgs {
    /// The request's ID (as `approvals list` shows it)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Why it is denied (mandatory)
    #[arg(long, value_name = "TEXT")]
    pub note: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles
    Init(AuditInitArgs),
    /// Document an intervention made outside ltops (console, psql) with its reason
    Record(AuditRecordArgs),
    /// List events, newest last, with each intent's outcome
    Show(AuditShowArgs),
    /// Recompute every hash and link; exit 1 and name the first broken seq when broken
    Verify(AuditVerifyArgs),
    /// Write the log as a JSONL evidence file ending in its head hash
    Export(AuditExportArgs),
    /// Print the head (seq + hash): the witness for the annual report
    Head,
}

#[derive(Debug, Args)]
pub struct AuditInitArgs {
    /// Grant this database role INSERT and SELECT on the log (repeatable)
    #[arg(long = "grant", value_name = "ROLE")]
    pub grant: Vec<String>,
    /// Show what would be done, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct AuditRecordArgs {
    #[command(flatten)]
    pub reason: ReasonArgs,
    /// What was done, as a dotted action name, e.g. `manual.console.rds-modify`
    #[arg(long, value_name = "NAME")]
    pub action: String,
    /// The tenant concerned; --detail is then stored encrypted under its key
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// The resource concerned, e.g. an ARN or table
    #[arg(long, value_name = "RESOURCE")]
    pub resource: Option<String>,
    /// What exactly was changed (may name personal data: give --tenant)
    #[arg(long, value_name = "TEXT")]
    pub detail: Option<String>,
    /// Show what would be recorded, record nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct AuditShowArgs {
    /// Only events at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Only events before TIME
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,
    /// Only events by this user (e-mail) or ARN
    #[arg(long, value_name = "USER")]
    pub actor: Option<String>,
    /// Only this action, or a prefix ending in `.` (e.g. `tenant.`)
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Only events about this tenant
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Only the last N matching events
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Read an exported evidence file instead of the configured store
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Verify an exported evidence file instead of the configured store
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The recorded head (SEQ:HASH from `ltops audit head` or the annual report)
    #[arg(long, value_name = "SEQ:HASH")]
    pub expect_head: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// The evidence file to write (refuses to overwrite)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

// Interventions on customer data (TOM §5); the help text is on `Command::Intervene`.
#[derive(Debug, Subcommand)]
pub enum InterveneCommand {
    /// Set columns of rows named by key (table and key from the data map)
    Set(InterveneSetArgs),
    /// Delete rows named by key (table and key from the data map)
    Delete(InterveneDeleteArgs),
    /// Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant
    Sql(InterveneSqlArgs),
    /// List past interventions from the audit log
    List(InterveneListArgs),
}

/// What every changing intervention needs: tenant, reason, limits.
#[derive(Debug, Clone, Args)]
pub struct InterveneScopeArgs {
    /// The tenant whose data is changed; the transaction cannot see any other
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,
    #[command(flatten)]
    pub reason: ReasonArgs,
    /// Show the preview (every affected row before and after), then roll back; record nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Allow up to N affected rows [default: intervene.max_rows of the config, else 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=crate::ops::intervene::MAX_ROWS_LIMIT))]
    pub max_rows: Option<u64>,
    #[command(flatten)]
    pub approval: ApprovalArgs,
}

/// Rows named by key.
#[derive(Debug, Clone, Args)]
pub struct InterveneRowsArgs {
    /// A table of the data map (policies/datamap.yaml), e.g. leads
    #[arg(long, value_name = "TABLE")]
    pub table: String,
    /// The key of a row, for tables with a one-column key (repeatable)
    #[arg(
        long = "id",
        value_name = "ID",
        required_unless_present = "key",
        conflicts_with = "key"
    )]
    pub ids: Vec<String>,
    /// One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=…
    #[arg(long = "key", value_name = "COLUMN=VALUE", value_parser = parse_pair)]
    pub key: Vec<(String, String)>,
}

#[derive(Debug, Args)]
pub struct InterveneSetArgs {
    #[command(flatten)]
    pub rows: InterveneRowsArgs,
    /// The new value of a column, as PostgreSQL reads it (repeatable); json/jsonb columns take JSON
    #[arg(long = "set", value_name = "COLUMN=VALUE", value_parser = parse_pair, required_unless_present = "set_null")]
    pub set: Vec<(String, String)>,
    /// Set a column to NULL (repeatable)
    #[arg(long = "set-null", value_name = "COLUMN")]
    pub set_null: Vec<String>,
    #[command(flatten)]
    pub scope: InterveneScopeArgs,
}

#[derive(Debug, Args)]
pub struct InterveneDeleteArgs {
    #[command(flatten)]
    pub rows: InterveneRowsArgs,
    #[command(flatten)]
    pub scope: InterveneScopeArgs,
}

#[derive(Debug, Args)]
pub struct InterveneSqlArgs {
    /// The statement: exactly one INSERT, UPDATE or DELETE on tables of the data map, without RETURNING
    #[arg(
        long,
        value_name = "SQL",
        required_unless_present = "sql_file",
        conflicts_with = "sql_file"
    )]
    pub sql: Option<String>,
    /// Read the statement from FILE (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub sql_file: Option<PathBuf>,
    #[command(flatten)]
    pub scope: InterveneScopeArgs,
}

#[derive(Debug, Args)]
pub struct InterveneListArgs {
    /// Only interventions on this tenant
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Only interventions at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Only the last N interventions
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Also show the statements and the before/after images (decrypted with the tenant key, if it still exists)
    #[arg(long)]
    pub images: bool,
}

// Documented reads of customer data (TOM §3); the help text is on `Command::Inspect`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct InspectArgs {
    #[command(subcommand)]
    pub command: Option<InspectCommand>,
    #[command(flatten)]
    pub read: InspectReadArgs,
}

#[derive(Debug, Subcommand)]
pub enum InspectCommand {
    /// List past reads from the audit log
    List(InspectListArgs),
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("statement").required(true).args(["table", "sql", "sql_file"])))]
pub struct InspectReadArgs {
    /// The tenant whose data is read; the transaction cannot see any other
    #[arg(long, value_name = "TENANT", required = true)]
    pub tenant: Option<String>,
    #[command(flatten)]
    pub reason: ReasonArgs,
    /// A table of the data map (policies/datamap.yaml), e.g. leads
    #[arg(long, value_name = "TABLE")]
    pub table: Option<String>,
    /// The key of a row, for tables with a one-column key (repeatable; with --table)
    #[arg(
        long = "id",
        value_name = "ID",
        requires = "table",
        conflicts_with = "key"
    )]
    pub ids: Vec<String>,
    /// One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=… (with --table)
    #[arg(long = "key", value_name = "COLUMN=VALUE", value_parser = parse_pair, requires = "table")]
    pub key: Vec<(String, String)>,
    /// Only rows whose COLUMN equals VALUE, as PostgreSQL reads it for the column (repeatable; with --table)
    #[arg(long = "where", value_name = "COLUMN=VALUE", value_parser = parse_pair, requires = "table")]
    pub filters: Vec<(String, String)>,
    /// The statement: exactly one SELECT on tables of the data map (`-` reads it from stdin)
    #[arg(long, value_name = "SQL", allow_hyphen_values = true)]
    pub sql: Option<String>,
    /// Read the statement from FILE (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub sql_file: Option<PathBuf>,
    /// Return at most N rows (within the row cap)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=crate::ops::inspect::MAX_ROWS_LIMIT))]
    pub limit: Option<u64>,
    /// Show at most N rows [default: inspect.max_rows of the config, else 50]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=crate::ops::inspect::MAX_ROWS_LIMIT))]
    pub max_rows: Option<u64>,
    /// Show this personal column in clear (repeatable; a terminal and --format table only; recorded)
    #[arg(long, value_name = "COLUMN")]
    pub reveal: Vec<String>,
}

#[derive(Debug, Args)]
pub struct InspectListArgs {
    /// Only reads of this tenant
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Only reads at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Only the last N reads
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Also show the statements (decrypted with the tenant key, if it still exists)
    #[arg(long)]
    pub statements: bool,
}

/// `NAME=VALUE`, split at the first `=`; the value may be empty or contain `=`.
fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not COLUMN=VALUE")),
    }
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// List the tenants in the database and those erased (from the ledger)
    List,
    /// Rows per table: what an erasure deletes, what it keeps (until when, on which basis)
    Inventory(TenantInventoryArgs),
    /// Erase a tenant on the customer's documented instruction
    Erase(TenantEraseArgs),
    /// The erasure ledger: erased tenants, when, by whom, on whose instruction
    Ledger,
}

#[derive(Debug, Args)]
pub struct TenantInventoryArgs {
    /// The tenant id
    pub tenant: String,
}

#[derive(Debug, Args)]
pub struct TenantEraseArgs {
    /// The tenant id
    pub tenant: String,
    /// Reference of the customer's documented deletion instruction, e.g. TICKET-4711
    #[arg(long, value_name = "REF")]
    pub instruction: String,
    /// Free text to go with the reference
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Show the plan, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Finish an interrupted batched erasure of this tenant
    #[arg(long)]
    pub resume: bool,
    /// Without a terminal: the tenant id typed again, as confirmation (with --yes)
    #[arg(long, value_name = "TENANT")]
    pub confirm: Option<String>,
    /// Write the erasure certificate for the customer (.md or .json)
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<PathBuf>,
    #[command(flatten)]
    pub approval: ApprovalArgs,
    /// With --break-glass (if approvals.tenant.erase allows it): the incident that cannot wait
    #[arg(long, value_name = "REF", requires = "break_glass")]
    pub incident: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RestoreCommand {
    /// Show what a restore to TIME would do: window, target, settings, erasures to re-apply
    Plan(RestorePlanArgs),
    /// Restore to TIME into a new target, wait, re-apply erasures, check the copy
    Run(RestoreRunArgs),
    /// Restores made by ltops (in progress and done)
    Status(RestoreStatusArgs),
    /// Re-apply the erasures recorded after a restored copy's restore time
    ReapplyErasures(RestoreReapplyArgs),
}

#[derive(Debug, Clone, Args)]
pub struct RestoreSourceArgs {
    /// The Aurora cluster to restore
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "instance",
        conflicts_with = "instance"
    )]
    pub cluster: Option<String>,
    /// The RDS instance to restore
    #[arg(long, value_name = "ID")]
    pub instance: Option<String>,
    /// The time to restore to: RFC 3339 with an offset, `latest`, or -15m / -2h
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub to: String,
    /// The new cluster/instance id [default: <source>-pitr-<yyyymmddthhmmz>]
    #[arg(long, value_name = "NEW_ID")]
    pub target: Option<String>,
}

#[derive(Debug, Args)]
pub struct RestorePlanArgs {
    #[command(flatten)]
    pub source: RestoreSourceArgs,
}

#[derive(Debug, Args)]
pub struct RestoreRunArgs {
    #[command(flatten)]
    pub source: RestoreSourceArgs,
    #[command(flatten)]
    pub reason: ReasonArgs,
    /// Show the plan, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Start the restore and return; re-apply erasures later with `restore reapply-erasures`
    #[arg(long)]
    pub no_wait: bool,
    #[command(flatten)]
    pub approval: ApprovalArgs,
}

#[derive(Debug, Args)]
pub struct RestoreStatusArgs {
    /// Only this restored cluster/instance
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,
}

#[derive(Debug, Args)]
pub struct RestoreReapplyArgs {
    /// The restored cluster/instance
    #[arg(long, value_name = "ID")]
    pub target: String,
    #[command(flatten)]
    pub reason: ReasonArgs,
    /// Show what would be erased, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Delete retained rows of erased tenants whose statutory period has ended
    Purge(RetentionPurgeArgs),
}

#[derive(Debug, Args)]
pub struct RetentionPurgeArgs {
    #[command(flatten)]
    pub reason: ReasonArgs,
    /// Show what is due, delete nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub approval: ApprovalArgs,
}

#[derive(Debug, Subcommand)]
pub enum TomCommand {
    /// List the controls of the catalog (policies/tom) and their coverage of TOM.de.md
    Controls(TomControlsArgs),
    /// Check every control against AWS, the database and the audit log; exit 1 on any finding
    Check(TomCheckArgs),
    /// Attest organisational controls with evidence; recorded in the audit log
    Attest(TomAttestArgs),
    /// Write the annual report (Markdown or HTML, German by default) and its JSON
    Report(TomReportArgs),
}

#[derive(Debug, Args)]
pub struct TomControlsArgs {
    /// Only the controls of this TOM section (0 = preamble)
    #[arg(long, value_name = "N")]
    pub section: Option<u32>,
    /// TOM.de.md to measure coverage against [default: $LTOPS_TOM_MD, then shared/TOM.de.md or TOM.de.md in or above the policies folder]
    #[arg(long, value_name = "FILE")]
    pub tom: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TomCheckArgs {
    /// Only the controls of this TOM section (0 = preamble)
    #[arg(long, value_name = "N")]
    pub section: Option<u32>,
    /// Only this control, e.g. TOM-4.2
    #[arg(long, value_name = "ID")]
    pub control: Option<String>,
    /// AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile's account]
    #[arg(long, value_name = "all|ID,ID")]
    pub accounts: Option<String>,
    /// AWS calls in flight at most (1 = one after another)
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

#[derive(Debug, Args)]
pub struct TomAttestArgs {
    /// The attestation control(s), e.g. TOM-1.2 TOM-1.4
    #[arg(required = true, value_name = "CONTROL")]
    pub controls: Vec<String>,
    /// What shows the measure is in place: a text or a URL (protocol, photo, signed list)
    #[arg(long, value_name = "TEXT|URL")]
    pub evidence: String,
    /// How long the attestation holds, e.g. 12mo, 6mo, 90d [default: the control's valid_for, else 12mo]
    #[arg(long, value_name = "DURATION")]
    pub valid_for: Option<String>,
    /// Show what would be recorded, record nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportLang {
    /// Deutsch (the language of the TOM)
    De,
    /// English
    En,
}

#[derive(Debug, Args)]
pub struct TomReportArgs {
    /// The report to write: FILE.md or FILE.html; FILE.json is written beside it (never overwritten)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Language of the report
    #[arg(long, value_enum, default_value_t = ReportLang::De)]
    pub lang: ReportLang,
    /// The previous report's JSON, to show what changed since
    #[arg(long, value_name = "OLD.json")]
    pub previous: Option<PathBuf>,
    /// AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile's account]
    #[arg(long, value_name = "all|ID,ID")]
    pub accounts: Option<String>,
    /// AWS calls in flight at most (1 = one after another)
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
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

impl GlobalArgs {
    /// The flags settings resolution needs.
    pub fn overrides(&self) -> crate::settings::Overrides {
        crate::settings::Overrides {
            config: self.config.clone(),
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            yes: self.yes,
            no_input: self.no_input,
        }
    }
}
