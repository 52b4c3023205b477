//! `ltops tom …`: the DPO's annual review (TOM §9). Loads the catalog, runs the
//! checks, records attestations, check runs and reports in the audit log, and
//! prints or writes the results.

use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::{SecondsFormat, Utc};
use serde::Serialize;

use super::Ctx;
use crate::ExitStatus;
use crate::audit::content::{
    self, TomCheckIntent, TomCheckOutcome, TomReportIntent, TomReportOutcome,
};
use crate::audit::verify::Witness;
use crate::aws::portal::Selection;
use crate::cli::{ReportLang, TomAttestArgs, TomCheckArgs, TomControlsArgs, TomReportArgs};
use crate::ops::mutation::{self, End, Request};
use crate::ops::record::Attest;
use crate::ops::review::{self, ReportRequest, ReviewRequest};
use crate::printer::{Report, key_value_table, table};
use crate::tom::Status;
use crate::tom::catalog::{Catalog, Control, Kind, Validity};
use crate::tom::coverage::{self, Coverage};
use crate::tom::engine;
use crate::tom::report::{self, Lang, RunReport};

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
                c.info.id.clone(),
                c.info.kind.as_str().to_owned(),
                c.info.severity.as_str().to_owned(),
                match c.info.kind {
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
                truncate(&c.info.de, 70),
            ]);
        }
        let mut out = format!("{t}\n");
        let automated = self
            .controls
            .iter()
            .filter(|c| c.info.kind == Kind::Automated)
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
            .filter(|c| c.info.section == s.number)
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
                format!("{} [{}]", c.info.id, c.info.severity.as_str()),
                truncate(&c.info.de, 60),
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
                let account = match &f.account {
                    Some(a) if r.accounts.len() > 1 => format!("[{a}] "),
                    _ => String::new(),
                };
                t.add_row(vec![
                    String::new(),
                    format!("  {account}{}", f.resource),
                    f.status.as_str().to_owned(),
                    ev,
                ]);
            }
        }
        out.push_str(&format!("{t}\n\n"));
    }
    for a in r.accounts.iter().filter(|_| r.accounts.len() > 1) {
        let statuses = r.controls.iter().flat_map(|c| {
            c.findings
                .iter()
                .filter(|f| f.account.as_deref() == Some(a.id.as_str()))
                .map(|f| f.status)
        });
        out.push_str(&format!(
            "account {}{}: {}{}\n",
            a.id,
            a.name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            Status::fold(statuses),
            a.error
                .as_ref()
                .map(|e| format!(" — {e}"))
                .unwrap_or_default()
        ));
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

/// `--accounts`, else `tom.accounts` of the config; `None`: the profile's account.
fn accounts_arg(ctx: &Ctx, flag: Option<&str>) -> anyhow::Result<Option<Selection>> {
    if let Some(f) = flag {
        return Selection::parse(f)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("--accounts: {e}"));
    }
    match &ctx.settings.config.tom.accounts {
        None => Ok(None),
        Some(a) => Selection::parse(&a.as_arg())
            .map(Some)
            .map_err(|e| anyhow::anyhow!("tom.accounts in the config: {e}")),
    }
}

pub async fn check(ctx: &Ctx, args: &TomCheckArgs) -> anyhow::Result<ExitStatus> {
    let catalog = load_catalog(ctx)?;
    let selected = selection(&catalog, args.section, args.control.as_deref())?;
    let ui = ctx.ui();
    let request = ReviewRequest {
        catalog: &catalog,
        selected: &selected,
        concurrency: usize::from(args.concurrency),
        accounts: accounts_arg(ctx, args.accounts.as_deref())?,
        action: "tom.check",
        intent: content::to_value(&TomCheckIntent {
            controls: selected.len() as u64,
            section: args.section.map(u64::from),
            control: args.control.clone(),
        }),
    };
    let mut run = review::run(&ctx.settings, &ui, request).await?;
    let content = content::to_value(&TomCheckOutcome {
        totals: run.totals(),
        findings: run.report.has_findings(),
    });
    let seq = run.close(&ui, content).await;
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
        if ctrl.info.kind != Kind::Attestation {
            bail!(
                "{}: an automated control is checked by `ltops tom check`, not attested",
                ctrl.info.id
            );
        }
        if !ids.contains(&ctrl.info.id) {
            ids.push(ctrl.info.id.clone());
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
    let attest = Attest {
        controls: ids.clone(),
        evidence: evidence.to_owned(),
        validity,
    };
    let request = Request {
        reason: None,
        dry_run: args.dry_run,
        approval: Default::default(),
    };
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, attest, &|_| {}).await?;
    let (intent_seq, outcome_seq) = match &ran.end {
        End::Done {
            intent, outcome, ..
        } => (Some(intent.seq), Some(outcome.seq)),
        _ => (None, None),
    };
    ctx.printer.report(&AttestOut {
        dry_run: args.dry_run,
        controls: ids,
        evidence: evidence.to_owned(),
        attested_by: ran.plan.attested_by,
        valid_until: ran
            .plan
            .valid_until
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        intent_seq,
        outcome_seq,
    })?;
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
    let ui = ctx.ui();
    let request = ReviewRequest {
        catalog: &catalog,
        selected: &selected,
        concurrency: usize::from(args.concurrency),
        accounts: accounts_arg(ctx, args.accounts.as_deref())?,
        action: "tom.report",
        intent: content::to_value(&TomReportIntent {
            out: args.out.display().to_string(),
            controls: selected.len() as u64,
        }),
    };
    let mut run = review::run(&ctx.settings, &ui, request).await?;
    let lang = match args.lang {
        ReportLang::De => Lang::De,
        ReportLang::En => Lang::En,
    };
    let written = review::write_report(
        &run,
        &ReportRequest {
            out: &args.out,
            json: &json_path,
            format,
            lang,
            previous: previous.as_ref(),
        },
    )?;
    let sha = written.sha256.clone();
    let content = content::to_value(&TomReportOutcome {
        report: args.out.display().to_string(),
        json: json_path.display().to_string(),
        sha256: written.sha256,
        json_sha256: written.json_sha256,
        totals: run.totals(),
        findings: run.report.has_findings(),
        witness: run
            .report
            .audit_head
            .as_ref()
            .map(|h| format!("{}:{}", h.seq, h.hash)),
    });
    let seq = run.close(&ui, content).await;
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
