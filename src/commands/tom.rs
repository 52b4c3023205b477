//! `ltops tom …`: the DPO's annual review (TOM §9). Loads the catalog, runs the
//! checks, records attestations, check runs and reports in the audit log, and
//! prints or writes the results.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Ctx;
use super::mutate::{self, Authorized};
use crate::ExitStatus;
use crate::audit::event::{Outcome, Target};
use crate::audit::verify::{self, Witness};
use crate::audit::{Action, Store};
use crate::aws::identity::{self, Actor, Principal};
use crate::cli::{ReportLang, TomAttestArgs, TomCheckArgs, TomControlsArgs, TomReportArgs};
use crate::datamap::DataMap;
use crate::printer::{Report, key_value_table, table};
use crate::settings::MutatingCommand;
use crate::tom::catalog::{Catalog, Control, Kind, Validity};
use crate::tom::checks::audit::{AuditData, parse_events};
use crate::tom::coverage::{self, Coverage};
use crate::tom::engine::{self, AwsEnv, CheckEnv, DbEnv};
use crate::tom::report::{self, Lang, RunReport, SectionInfo};
use crate::tom::{Status, attest, exceptions};

fn load_catalog(ctx: &Ctx) -> anyhow::Result<Catalog> {
    Ok(Catalog::load(&ctx.settings.policies_dir.join("tom"))?)
}

// ---- tom controls -----------------------------------------------------------------

#[derive(Serialize)]
struct ControlsReport {
    catalog: String,
    controls: Vec<Control>,
    coverage: Option<Coverage>,
    coverage_note: Option<String>,
}

impl Report for ControlsReport {
    const KIND: &'static str = "tom.controls";
    fn render_table(&self) -> String {
        let mut t = table([
            "control",
            "kind",
            "severity",
            "checks / valid for",
            "TOM (de)",
        ]);
        for c in &self.controls {
            t.add_row(vec![
                c.id.clone(),
                c.kind.as_str().to_owned(),
                c.severity.as_str().to_owned(),
                match c.kind {
                    Kind::Automated => c
                        .checks
                        .iter()
                        .map(|s| s.name.clone())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    Kind::Attestation => c
                        .valid_for
                        .map(|v| format!("attested, {v}"))
                        .unwrap_or_else(|| "attested".into()),
                },
                truncate(&c.de, 70),
            ]);
        }
        let mut out = format!("{t}\n");
        let automated = self
            .controls
            .iter()
            .filter(|c| c.kind == Kind::Automated)
            .count();
        out.push_str(&format!(
            "{} controls: {automated} automated, {} attested\n",
            self.controls.len(),
            self.controls.len() - automated
        ));
        match &self.coverage {
            Some(cov) => {
                let mut ct = table(["section", "bullets", "covered", "not covered"]);
                for s in &cov.sections {
                    let covered = s.bullets.iter().filter(|b| !b.controls.is_empty()).count();
                    let missing: Vec<String> = s
                        .bullets
                        .iter()
                        .filter(|b| b.controls.is_empty())
                        .map(|b| format!("line {}: {}", b.line, truncate(&b.text, 50)))
                        .collect();
                    ct.add_row(vec![
                        format!("{} {}", s.number, s.title),
                        s.bullets.len().to_string(),
                        covered.to_string(),
                        if missing.is_empty() {
                            "-".into()
                        } else {
                            missing.join("\n")
                        },
                    ]);
                }
                out.push_str(&format!("\ncoverage of {}:\n{ct}\n", cov.source));
                for (id, sec, de) in &cov.not_verbatim {
                    out.push_str(&format!(
                        "not verbatim in the TOM: {id} (section {sec}): {de}\n"
                    ));
                }
                out.push_str(&format!(
                    "{} of {} bullets covered{}\n",
                    cov.bullets() - cov.uncovered().count(),
                    cov.bullets(),
                    if cov.is_complete() {
                        " — complete"
                    } else {
                        " — INCOMPLETE"
                    }
                ));
            }
            None => {
                if let Some(n) = &self.coverage_note {
                    out.push_str(&format!("coverage: {n}\n"));
                }
            }
        }
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub fn controls(ctx: &Ctx, args: &TomControlsArgs) -> anyhow::Result<ExitStatus> {
    let catalog = load_catalog(ctx)?;
    if let Some(s) = args.section
        && catalog.section(s).is_none()
    {
        bail!("--section {s}: the catalog has no section {s}");
    }
    let tom_path = match &args.tom {
        Some(p) => Ok(p.clone()),
        None => coverage::find(
            ctx.settings.env.get("LTOPS_TOM_MD"),
            &ctx.settings.policies_dir,
        ),
    };
    let (cov, note) = match tom_path {
        Ok(p) => {
            let md = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            let mut cov = coverage::coverage(&p.display().to_string(), &md, &catalog);
            if let Some(s) = args.section {
                cov.sections.retain(|x| x.number == s);
                cov.not_verbatim.retain(|x| x.1 == s);
                cov.sections_without_file.retain(|x| *x == s);
            }
            (Some(cov), None)
        }
        Err(e) => {
            ctx.printer.warn(&e);
            (None, Some(e))
        }
    };
    let complete = cov.as_ref().is_none_or(Coverage::is_complete);
    ctx.printer.report(&ControlsReport {
        catalog: catalog.dir.display().to_string(),
        controls: engine::select(catalog.controls(), args.section, None)
            .into_iter()
            .cloned()
            .collect(),
        coverage: cov,
        coverage_note: note,
    })?;
    Ok(if complete {
        ExitStatus::Success
    } else {
        ExitStatus::No
    })
}

// ---- the run shared by check and report ---------------------------------------------

struct Run {
    report: RunReport,
    store: Option<Store>,
    actor: Actor,
}

/// The audit actor of a read-only run: the SSO user when there is one, else the
/// principal as STS names it.
fn reader_actor(id: &Result<identity::Identity, String>) -> Actor {
    match id {
        Ok(i) => match &i.principal {
            Principal::SsoUser {
                permission_set,
                user,
                ..
            } => Actor {
                arn: i.arn.clone(),
                user: user.clone(),
                account: i.account.clone(),
                permission_set: permission_set.clone(),
            },
            other => Actor {
                arn: i.arn.clone(),
                user: format!(
                    "{} {}",
                    other.label(),
                    i.arn.rsplit('/').next().unwrap_or(&i.arn)
                ),
                account: i.account.clone(),
                permission_set: String::new(),
            },
        },
        Err(_) => Actor {
            arn: String::new(),
            user: "unknown (no AWS identity)".into(),
            account: String::new(),
            permission_set: String::new(),
        },
    }
}

async fn execute(
    ctx: &Ctx,
    catalog: &Catalog,
    selected: &[&Control],
    concurrency: usize,
    action: &str,
    intent_content: serde_json::Value,
) -> anyhow::Result<(Run, Option<crate::audit::event::Event>)> {
    let settings = &ctx.settings;
    let exceptions = exceptions::load(&settings.policies_dir.join("exceptions.yaml"), catalog)?;
    let (need_aws, need_db) = engine::needs(selected);
    let sdk = crate::aws::config::load(&settings.aws).await;
    let spinner = ctx
        .printer
        .spinner(format!("checking {} controls", selected.len()));
    let identity = identity::caller_identity(&sdk)
        .await
        .map_err(|e| e.to_string());
    let actor = reader_actor(&identity);
    if let Err(e) = &identity
        && need_aws
    {
        ctx.printer
            .warn(format!("AWS checks will report ERROR: {e}"));
    }

    // Record the run first: the chain check then covers the log as it is now.
    let mut store = match Store::open(settings, &sdk).await {
        Ok(s) => Some(s),
        Err(e) => {
            ctx.printer.warn(format!(
                "the audit log cannot be opened, this run is not recorded: {e}"
            ));
            None
        }
    };
    let action_rec = Action {
        actor: actor.clone(),
        action: action.to_owned(),
        target: Target {
            tenant: None,
            resource: identity
                .as_ref()
                .ok()
                .map(|i| format!("aws account {}", i.account)),
        },
        reason: None,
    };
    let mut intent = None;
    if let Some(s) = store.as_mut() {
        match s.append(action_rec.intent(intent_content), None).await {
            Ok(e) => intent = Some(e),
            Err(e) => ctx
                .printer
                .warn(format!("cannot record this run in the audit log: {e}")),
        }
    }
    let audit: Result<AuditData, String> = match &store {
        None => Err("the audit log cannot be opened".into()),
        Some(s) => match s.read_all().await {
            Err(e) => Err(e.to_string()),
            Ok(bytes) => {
                let witness = s.recorded_head();
                let v = verify::verify_bytes(&bytes, witness.as_ref());
                let events = parse_events(&bytes);
                let head = events.last().and_then(Witness::of);
                Ok(AuditData {
                    source: format!("audit log ({})", s.describe()),
                    verify: v,
                    events,
                    head,
                })
            }
        },
    };

    let aws = match (&identity, need_aws) {
        (_, false) => Err("not needed".to_owned()),
        (Err(e), true) => Err(e.clone()),
        (Ok(i), true) => {
            let region = sdk.region().map(|r| r.to_string());
            match region {
                None => Err("no AWS region configured (aws.region or --region)".into()),
                Some(region) => Ok(AwsEnv::new(
                    sdk.clone(),
                    i.account.clone(),
                    region,
                    catalog.scope.aws_regions.clone(),
                )),
            }
        }
    };
    let db = if need_db {
        match DataMap::load(&settings.policies_dir.join("datamap.yaml")) {
            Err(e) => Err(e.to_string()),
            Ok(map) => {
                match crate::db::connect(settings.config.database.as_ref(), &settings.env, &sdk)
                    .await
                {
                    Ok(client) => Ok(DbEnv {
                        client: tokio::sync::Mutex::new(client),
                        map,
                    }),
                    Err(e) => Err(e.to_string()),
                }
            }
        }
    } else {
        Err("not needed".to_owned())
    };
    let env = CheckEnv {
        now: Utc::now(),
        concurrency,
        aws,
        db,
        audit,
    };
    let controls = engine::run(&env, selected, &exceptions).await;
    spinner.finish_and_clear();
    let report = RunReport {
        generated_at: env.now.to_rfc3339_opts(SecondsFormat::Secs, true),
        account: identity.as_ref().ok().map(|i| i.account.clone()),
        region: settings
            .aws
            .region
            .clone()
            .or_else(|| sdk.region().map(|r| r.to_string())),
        checked_by: Some(actor.user.clone()).filter(|u| !u.is_empty()),
        catalog: catalog.dir.display().to_string(),
        audit_source: env.audit.as_ref().ok().map(|a| a.source.clone()),
        audit_head: env.audit.as_ref().ok().and_then(|a| a.head.clone()),
        sections: catalog
            .sections
            .iter()
            .map(|s| SectionInfo {
                number: s.number,
                de: s.de.clone(),
                en: s.en.clone(),
            })
            .collect(),
        totals: RunReport::totals_of(&controls),
        controls,
    };
    Ok((
        Run {
            report,
            store,
            actor,
        },
        intent,
    ))
}

fn totals_json(r: &RunReport) -> serde_json::Value {
    let t: serde_json::Map<String, serde_json::Value> = r
        .totals
        .iter()
        .map(|(s, n)| (s.as_str().to_owned(), json!(*n as u64)))
        .collect();
    serde_json::Value::Object(t)
}

async fn close(
    ctx: &Ctx,
    run: &mut Run,
    intent: Option<crate::audit::event::Event>,
    action: &str,
    content: serde_json::Value,
) -> anyhow::Result<Option<u64>> {
    let (Some(store), Some(intent)) = (run.store.as_mut(), intent) else {
        return Ok(None);
    };
    let act = Action {
        actor: run.actor.clone(),
        action: action.to_owned(),
        target: intent.target.clone(),
        reason: None,
    };
    match store
        .append(act.outcome(&intent, Outcome::Ok, content), None)
        .await
    {
        Ok(e) => Ok(Some(e.seq)),
        Err(e) => {
            ctx.printer.warn(format!(
                "the run ended but its outcome could not be recorded (intent seq {}): {e}",
                intent.seq
            ));
            Ok(None)
        }
    }
}

// ---- tom check ----------------------------------------------------------------------

#[derive(Serialize)]
struct CheckOut {
    #[serde(flatten)]
    run: RunReport,
    recorded_seq: Option<u64>,
}

impl Report for CheckOut {
    const KIND: &'static str = "tom.check";
    fn render_table(&self) -> String {
        render_run(&self.run)
    }
}

fn render_run(r: &RunReport) -> String {
    let mut out = String::new();
    for s in &r.sections {
        let cs: Vec<_> = r
            .controls
            .iter()
            .filter(|c| c.section == s.number)
            .collect();
        if cs.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{} {} ({})\n",
            if s.number == 0 {
                "Preamble".to_owned()
            } else {
                format!("§{}", s.number)
            },
            s.de,
            s.en
        ));
        let mut t = table(["control", "resource", "status", "evidence"]);
        for c in cs {
            t.add_row(vec![
                format!("{} [{}]", c.id, c.severity.as_str()),
                truncate(&c.de, 60),
                c.status.as_str().to_owned(),
                String::new(),
            ]);
            for f in &c.findings {
                let mut ev = f.evidence.clone();
                if let Some(x) = &f.exception {
                    ev.push_str(&format!(
                        " — exception{}: {} (approved by {}, until {})",
                        if x.active { "" } else { " EXPIRED" },
                        x.reason,
                        x.approver,
                        x.expires
                    ));
                }
                t.add_row(vec![
                    String::new(),
                    format!("  {}", f.resource),
                    f.status.as_str().to_owned(),
                    ev,
                ]);
            }
        }
        out.push_str(&format!("{t}\n\n"));
    }
    let totals: Vec<String> = r.totals.iter().map(|(s, n)| format!("{n} {s}")).collect();
    out.push_str(&format!(
        "{} controls: {}{}\n",
        r.controls.len(),
        totals.join(", "),
        r.audit_head
            .as_ref()
            .map(|h| format!("; audit head {}:{}", h.seq, h.hash))
            .unwrap_or_default()
    ));
    out
}

fn selection<'a>(
    catalog: &'a Catalog,
    section: Option<u32>,
    control: Option<&str>,
) -> anyhow::Result<Vec<&'a Control>> {
    if let Some(s) = section
        && catalog.section(s).is_none()
    {
        bail!(
            "--section {s}: the catalog has no section {s} (sections: {})",
            catalog
                .sections
                .iter()
                .map(|s| s.number.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(c) = control
        && catalog.control(c).is_none()
    {
        bail!("--control {c}: no such control (see `ltops tom controls`)");
    }
    let sel = engine::select(catalog.controls(), section, control);
    if sel.is_empty() {
        bail!("no control matches --section/--control");
    }
    Ok(sel)
}

pub async fn check(ctx: &Ctx, args: &TomCheckArgs) -> anyhow::Result<ExitStatus> {
    let catalog = load_catalog(ctx)?;
    let selected = selection(&catalog, args.section, args.control.as_deref())?;
    let (mut run, intent) = execute(
        ctx,
        &catalog,
        &selected,
        usize::from(args.concurrency),
        "tom.check",
        json!({ "controls": selected.len() as u64, "section": args.section.map(u64::from), "control": args.control }),
    )
    .await?;
    let content =
        json!({ "totals": totals_json(&run.report), "findings": run.report.has_findings() });
    let seq = close(ctx, &mut run, intent, "tom.check", content).await?;
    let no = run.report.has_findings();
    ctx.printer.report(&CheckOut {
        run: run.report,
        recorded_seq: seq,
    })?;
    Ok(if no {
        ExitStatus::No
    } else {
        ExitStatus::Success
    })
}

// ---- tom attest ---------------------------------------------------------------------

#[derive(Serialize)]
struct AttestOut {
    dry_run: bool,
    controls: Vec<String>,
    evidence: String,
    attested_by: String,
    valid_until: String,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
}

impl Report for AttestOut {
    const KIND: &'static str = "tom.attest";
    fn render_table(&self) -> String {
        key_value_table([
            ("controls", self.controls.join(", ")),
            ("evidence", self.evidence.clone()),
            ("attested by", self.attested_by.clone()),
            ("valid until", self.valid_until.clone()),
            (
                "recorded",
                match (self.intent_seq, self.outcome_seq) {
                    (Some(a), Some(b)) => format!("seq {a} (intent), seq {b} (outcome)"),
                    _ => "nothing (dry run)".into(),
                },
            ),
        ])
    }
}

pub async fn attest(ctx: &Ctx, args: &TomAttestArgs) -> anyhow::Result<ExitStatus> {
    let catalog = load_catalog(ctx)?;
    let mut ids = Vec::new();
    let mut validity: Option<Validity> = None;
    for c in &args.controls {
        let Some(ctrl) = catalog.control(c) else {
            bail!("{c}: no such control (see `ltops tom controls`)");
        };
        if ctrl.kind != Kind::Attestation {
            bail!(
                "{}: an automated control is checked by `ltops tom check`, not attested",
                ctrl.id
            );
        }
        if !ids.contains(&ctrl.id) {
            ids.push(ctrl.id.clone());
        }
        // Several controls at once: the shortest default validity holds for all.
        let v = ctrl.valid_for.unwrap_or(Validity::Months(12));
        validity = Some(match validity {
            Some(prev) if prev.until(Utc::now()) <= v.until(Utc::now()) => prev,
            _ => v,
        });
    }
    let evidence = args.evidence.trim();
    if evidence.len() < 3 || evidence.len() > 2000 {
        bail!(
            "--evidence must say what shows the measure is in place (3 to 2000 characters: a text or a URL)"
        );
    }
    let validity = match &args.valid_for {
        Some(s) => Validity::parse(s).map_err(|e| anyhow::anyhow!("--valid-for {e}"))?,
        None => validity.unwrap_or(Validity::Months(12)),
    };
    let Authorized { actor, sdk } = mutate::authorize(ctx, MutatingCommand::TomAttest).await?;
    let now = Utc::now();
    let until = validity.until(now);
    let content = attest::content(&ids, evidence, &actor.user, now, until);
    ctx.printer.status(format!(
        "Plan: {} attests {} until {} with: {evidence}",
        actor.user,
        ids.join(", "),
        until.format("%Y-%m-%d")
    ));
    let mut out = AttestOut {
        dry_run: args.dry_run,
        controls: ids.clone(),
        evidence: evidence.to_owned(),
        attested_by: actor.user.clone(),
        valid_until: until.to_rfc3339_opts(SecondsFormat::Secs, true),
        intent_seq: None,
        outcome_seq: None,
    };
    if args.dry_run {
        ctx.printer.report(&out)?;
        return Ok(ExitStatus::Success);
    }
    if !mutate::confirm(ctx, "Record this attestation in the audit log?")? {
        bail!("not confirmed; nothing was recorded");
    }
    let action = Action {
        actor,
        action: attest::ACTION.into(),
        target: Target {
            tenant: None,
            resource: Some(ids.join(",")),
        },
        reason: None,
    };
    let mut store = Store::open(&ctx.settings, &sdk).await?;
    let (_, intent, outcome) = mutate::recorded(&mut store, &action, content, None, |_| async {
        Ok(((), json!({ "attested": ids.len() as u64 })))
    })
    .await?;
    out.intent_seq = Some(intent.seq);
    out.outcome_seq = Some(outcome.seq);
    ctx.printer.report(&out)?;
    Ok(ExitStatus::Success)
}

// ---- tom report ---------------------------------------------------------------------

#[derive(Serialize)]
struct ReportOut {
    report: String,
    json: String,
    sha256: String,
    findings: bool,
    totals: std::collections::BTreeMap<Status, usize>,
    audit_head: Option<Witness>,
    recorded_seq: Option<u64>,
}

impl Report for ReportOut {
    const KIND: &'static str = "tom.report";
    fn render_table(&self) -> String {
        key_value_table([
            ("report", self.report.clone()),
            ("json", self.json.clone()),
            ("sha256", self.sha256.clone()),
            (
                "result",
                if self.findings {
                    "findings".into()
                } else {
                    "all measures in place".into()
                },
            ),
            (
                "totals",
                self.totals
                    .iter()
                    .map(|(s, n)| format!("{n} {s}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "audit head",
                self.audit_head
                    .as_ref()
                    .map(|h| format!("{}:{}", h.seq, h.hash))
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "recorded",
                self.recorded_seq
                    .map(|s| format!("tom.report, seq {s}"))
                    .unwrap_or_else(|| "not recorded".into()),
            ),
        ])
    }
}

fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot create {} (reports are never overwritten)",
                path.display()
            )
        })?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

pub async fn report(ctx: &Ctx, args: &TomReportArgs) -> anyhow::Result<ExitStatus> {
    let format = match args.out.extension().and_then(|e| e.to_str()) {
        Some("md") => report::Format::Markdown,
        Some("html") | Some("htm") => report::Format::Html,
        _ => bail!(
            "--out {}: the report is FILE.md or FILE.html",
            args.out.display()
        ),
    };
    let json_path: PathBuf = args.out.with_extension("json");
    for p in [&args.out, &json_path] {
        if p.exists() {
            bail!(
                "{} exists; reports are never overwritten — choose another --out",
                p.display()
            );
        }
    }
    let previous: Option<RunReport> = match &args.previous {
        None => None,
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read --previous {}", p.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("--previous {}: not JSON", p.display()))?;
            Some(serde_json::from_value(v).with_context(|| {
                format!("--previous {}: not the JSON of a `ltops tom report` or `ltops tom check --format json`", p.display())
            })?)
        }
    };
    let catalog = load_catalog(ctx)?;
    let selected: Vec<&Control> = catalog.controls().collect();
    let (mut run, intent) = execute(
        ctx,
        &catalog,
        &selected,
        usize::from(args.concurrency),
        "tom.report",
        json!({ "out": args.out.display().to_string(), "controls": selected.len() as u64 }),
    )
    .await?;
    if intent.is_none() {
        bail!(
            "the annual report must be recorded in the audit log (TOM §9 asks for the last review's date), and it cannot be: nothing was written"
        );
    }
    let lang = match args.lang {
        ReportLang::De => Lang::De,
        ReportLang::En => Lang::En,
    };
    let doc = report::render(&run.report, previous.as_ref(), lang, format);
    let mut json_doc = serde_json::to_value(&run.report)?;
    if let serde_json::Value::Object(m) = &mut json_doc {
        m.insert(
            "schema_version".into(),
            json!(crate::printer::SCHEMA_VERSION),
        );
        m.insert("kind".into(), json!("tom.report"));
    }
    let json_text = serde_json::to_string_pretty(&json_doc)? + "\n";
    write_new(&args.out, doc.as_bytes())?;
    write_new(&json_path, json_text.as_bytes())?;
    let sha = hex::encode(Sha256::digest(doc.as_bytes()));
    let content = json!({
        "report": args.out.display().to_string(),
        "json": json_path.display().to_string(),
        "sha256": sha,
        "json_sha256": hex::encode(Sha256::digest(json_text.as_bytes())),
        "totals": totals_json(&run.report),
        "findings": run.report.has_findings(),
        "witness": run.report.audit_head.as_ref().map(|h| format!("{}:{}", h.seq, h.hash)),
    });
    let seq = close(ctx, &mut run, intent, "tom.report", content).await?;
    let no = run.report.has_findings();
    ctx.printer.report(&ReportOut {
        report: args.out.display().to_string(),
        json: json_path.display().to_string(),
        sha256: sha,
        findings: no,
        totals: run.report.totals.clone(),
        audit_head: run.report.audit_head.clone(),
        recorded_seq: seq,
    })?;
    Ok(if no {
        ExitStatus::No
    } else {
        ExitStatus::Success
    })
}
