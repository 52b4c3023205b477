//! One module per command group, one function per leaf command. Commands
//! orchestrate domain modules and own all printing and prompting.

mod approvals;
mod audit;
mod auth;
mod config;
mod docs;
mod inspect;
mod intervene;
mod restore;
mod tenant;
mod tom;
mod ui;

use std::path::PathBuf;

use crate::ExitStatus;
use crate::audit::event::{Reason, ReasonKind};
use crate::cli::{
    ApprovalArgs, ApprovalsCommand, AuditCommand, Cli, Command, ConfigCommand, InspectCommand,
    InterveneCommand, ReasonArgs, RestoreCommand, RetentionCommand, TenantCommand, TomCommand,
};
use crate::datamap::DataMap;
use crate::ops::gate::Approval;
use crate::printer::Printer;
use crate::settings::{Env, Settings};
use crate::tenant_id::TenantId;

/// What every command gets: resolved settings and the printer.
pub struct Ctx {
    pub settings: Settings,
    pub printer: Printer,
}

impl Ctx {
    /// The operator as the use cases see them.
    pub fn ui(&self) -> ui::ConsoleUi<'_> {
        ui::ConsoleUi {
            printer: &self.printer,
            settings: &self.settings,
        }
    }

    /// The data map of the configured policies folder.
    pub fn data_map(&self) -> anyhow::Result<DataMap> {
        Ok(DataMap::load(
            &self.settings.policies_dir.join("datamap.yaml"),
        )?)
    }
}

/// The mandatory reason of a mutating command, parsed where it enters.
pub fn reason(args: &ReasonArgs) -> anyhow::Result<Reason> {
    let (kind, reference) = match (&args.instruction, &args.incident) {
        (Some(r), None) => (ReasonKind::Instruction, r),
        (None, Some(r)) => (ReasonKind::Incident, r),
        _ => anyhow::bail!(
            "a reason is mandatory: --instruction REF (the controller's instruction) or --incident REF"
        ),
    };
    Ok(Reason::new(kind, reference, args.note.clone())?)
}

/// `--request`, `--approval ID`, `--break-glass` as the pipeline takes them.
/// Break-glass runs under an incident: `incident` is the command's reason
/// when that is one (or erasure's own `--incident`).
pub fn approval(args: &ApprovalArgs, incident: Option<&Reason>) -> anyhow::Result<Approval> {
    Ok(if args.request {
        Approval::Request
    } else if let Some(id) = &args.approval {
        Approval::Use(id.clone())
    } else if args.break_glass {
        match incident.filter(|r| r.kind == ReasonKind::Incident) {
            Some(r) => Approval::BreakGlass(r.clone()),
            None => anyhow::bail!(
                "--break-glass needs --incident REF: break-glass is for an incident that cannot wait for an approval"
            ),
        }
    } else {
        Approval::None
    })
}

/// A tenant id flag, parsed against the data map's id type.
pub fn tenant_arg(map: &DataMap, flag: &str, raw: &str) -> anyhow::Result<TenantId> {
    TenantId::parse(map, raw).map_err(|e| anyhow::anyhow!("{flag}: {e}"))
}

pub async fn run(cli: Cli, env: Env, cwd: PathBuf) -> anyhow::Result<ExitStatus> {
    // Completions and man pages must work even next to a broken config file.
    match &cli.command {
        Command::Completions(args) => return docs::completions(args),
        Command::Man(args) => return docs::man(args),
        _ => {}
    }
    let settings = Settings::resolve(&cli.global.overrides(), &env, &cwd)?;
    let printer = Printer::new(cli.global.format, cli.global.quiet, cli.global.verbose);
    let ctx = Ctx { settings, printer };
    match cli.command {
        Command::Login(args) => auth::login(&ctx, &args).await,
        Command::Logout(args) => auth::logout(&ctx, &args).await,
        Command::Whoami(args) => auth::whoami(&ctx, &args).await,
        Command::Audit(AuditCommand::Init(args)) => audit::init(&ctx, &args).await,
        Command::Audit(AuditCommand::Record(args)) => audit::record(&ctx, &args).await,
        Command::Audit(AuditCommand::Show(args)) => audit::show(&ctx, &args).await,
        Command::Audit(AuditCommand::Verify(args)) => audit::verify(&ctx, &args).await,
        Command::Audit(AuditCommand::Export(args)) => audit::export(&ctx, &args).await,
        Command::Audit(AuditCommand::Head) => audit::head(&ctx).await,
        Command::Tenant(TenantCommand::List) => tenant::list(&ctx).await,
        Command::Tenant(TenantCommand::Inventory(args)) => tenant::inventory(&ctx, &args).await,
        Command::Tenant(TenantCommand::Erase(args)) => tenant::erase(&ctx, &args).await,
        Command::Tenant(TenantCommand::Ledger) => tenant::ledger_cmd(&ctx).await,
        Command::Retention(RetentionCommand::Purge(args)) => tenant::purge_cmd(&ctx, &args).await,
        Command::Restore(RestoreCommand::Plan(args)) => restore::plan(&ctx, &args).await,
        Command::Restore(RestoreCommand::Run(args)) => restore::run(&ctx, &args).await,
        Command::Restore(RestoreCommand::Status(args)) => restore::status(&ctx, &args).await,
        Command::Restore(RestoreCommand::ReapplyErasures(args)) => {
            restore::reapply(&ctx, &args).await
        }
        Command::Intervene(InterveneCommand::Set(args)) => intervene::set(&ctx, &args).await,
        Command::Intervene(InterveneCommand::Delete(args)) => intervene::delete(&ctx, &args).await,
        Command::Intervene(InterveneCommand::Sql(args)) => intervene::sql(&ctx, &args).await,
        Command::Intervene(InterveneCommand::List(args)) => intervene::list(&ctx, &args).await,
        Command::Inspect(args) => match &args.command {
            Some(InspectCommand::List(list)) => inspect::list(&ctx, list).await,
            None => inspect::read(&ctx, &args.read).await,
        },
        Command::Tom(TomCommand::Controls(args)) => tom::controls(&ctx, &args),
        Command::Tom(TomCommand::Check(args)) => tom::check(&ctx, &args).await,
        Command::Tom(TomCommand::Attest(args)) => tom::attest(&ctx, &args).await,
        Command::Tom(TomCommand::Report(args)) => tom::report(&ctx, &args).await,
        Command::Approvals(ApprovalsCommand::List(args)) => approvals::list(&ctx, &args).await,
        Command::Approvals(ApprovalsCommand::Approve(args)) => {
            approvals::decide(&ctx, &args.id, true, args.note.clone()).await
        }
        Command::Approvals(ApprovalsCommand::Deny(args)) => {
            approvals::decide(&ctx, &args.id, false, Some(args.note.clone())).await
        }
        Command::Approvals(ApprovalsCommand::Pin(args)) => approvals::pin(&ctx, args.dry_run).await,
        Command::Config(ConfigCommand::Show) => config::show(&ctx),
        Command::Config(ConfigCommand::Check) => config::check(&ctx),
        Command::Completions(_) | Command::Man(_) => unreachable!("handled above"),
    }
}
