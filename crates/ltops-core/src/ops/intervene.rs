//! `intervene` as a use case: one statement (structured or raw SQL) run for
//! exactly one tenant in one transaction under row-level security, every
//! affected row captured before and after, shown, confirmed, committed — with
//! the outcome committed in the same transaction when the audit log lives in
//! this database.
//!
//! Ctrl-C before the commit rolls back and records `aborted`; once the commit
//! has started it is not interrupted. A dry run is recorded work too: it reads
//! customer data.

use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio_postgres::{Client, Transaction};

use super::gate::Approved;
use super::mutation::{Confirmation, Done, Intent, Mutation, Planned, Session, Step};
use crate::approval::Subject;
use crate::audit::content::{self, Failure, InterveneIntent, InterveneOutcome};
use crate::audit::event::{Event, Outcome, Reason, Target};
use crate::audit::{Personal, Store, pg_store};
use crate::aws::identity::Actor;
use crate::datamap::DataMap;
use crate::intervention::events::{self, Initiator, Written};
use crate::intervention::{Form, InterventionError, Op, Plan, Preview, RowChange, TableRef, run};
use crate::settings::{ApprovalPolicy, MutatingCommand, Settings};
use crate::tenant_id::TenantId;

/// Test-only hook (debug builds only; inert in release builds and when unset):
/// just before COMMIT, write `<PATH>.waiting` with the backend pid of the
/// connection that holds the change, and wait until `<PATH>` exists. Lets the
/// tests kill that connection between the change and the commit.
const TEST_PAUSE_ENV: &str = "LTOPS_TEST_PAUSE_BEFORE_COMMIT";

/// Shows a preview to the operator (stderr) before the commit question.
pub type ShowPreview = Box<dyn Fn(&Plan, &[RowChange], u64)>;

pub struct Intervene {
    map: DataMap,
    plan: Plan,
    tenant: TenantId,
    max_rows: u64,
    reason: Reason,
    show_preview: ShowPreview,
    client: Option<Client>,
    canceller: Option<crate::db::Canceller>,
}

/// The largest `--max-rows`: the capture asks for one row more than the limit
/// (`LIMIT n + 1`), and PostgreSQL's LIMIT is a bigint.
pub const MAX_ROWS_LIMIT: u64 = i64::MAX as u64 - 1;

/// Armed while the preview's statements run: the pipeline drops the work on
/// Ctrl-C, and dropping a query future does not stop the server, which would
/// go on running the statement (holding its locks) until it ends by itself.
/// Dropped armed, this sends the cancel request and waits for it (briefly).
pub(crate) struct CancelOnDrop(pub(crate) Option<crate::db::Canceller>);

impl CancelOnDrop {
    pub(crate) fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some(canceller) = self.0.take() else {
            return;
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let cancel = async move {
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(3), canceller.cancel()).await;
        };
        // Waiting here makes sure the request is out before the process exits;
        // only a multi-threaded runtime allows blocking inside it.
        if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
            tokio::task::block_in_place(|| handle.block_on(cancel));
        } else {
            handle.spawn(cancel);
        }
    }
}

/// What will run, as shown before it runs.
#[derive(Debug, Clone, Serialize)]
pub struct InterventionPlan {
    pub tenant: TenantId,
    pub table: String,
    pub form: &'static str,
    pub operation: &'static str,
    pub max_rows: u64,
    pub role: String,
    pub executed: Vec<String>,
    /// The outcome commits in the same transaction as the change.
    pub atomic: bool,
}

/// What the intervention did.
#[derive(Debug, Clone, Default)]
pub struct Intervened {
    pub rows: Vec<RowChange>,
    pub committed: bool,
    /// Why nothing was committed, when the preview refused it.
    pub refused: Option<String>,
    /// The events written to the platform's event store (tables with a stream).
    pub events: Vec<Written>,
}

impl Intervene {
    pub fn new(
        settings: &Settings,
        map: DataMap,
        plan: Plan,
        tenant: TenantId,
        max_rows: Option<u64>,
        reason: Reason,
        show_preview: ShowPreview,
    ) -> Intervene {
        let max_rows = max_rows
            .unwrap_or_else(|| settings.config.intervene.max_rows())
            .min(MAX_ROWS_LIMIT);
        Intervene {
            map,
            plan,
            tenant,
            max_rows,
            reason,
            show_preview,
            client: None,
            canceller: None,
        }
    }
}

impl Mutation for Intervene {
    type Plan = InterventionPlan;
    type Done = Intervened;

    fn command(&self) -> MutatingCommand {
        MutatingCommand::Intervene
    }

    fn action(&self, _: &InterventionPlan) -> String {
        format!("intervene.{}", self.plan.form.as_str())
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<InterventionPlan>> {
        let mut client =
            crate::db::connect(s.settings.config.database.as_ref(), &s.settings.env, &s.sdk)
                .await?;
        let role = run::check_safety(&client, &self.map, &self.plan).await?;
        run::check_tenant(&mut client, &self.map, self.tenant.as_str()).await?;
        run::check_request(&client, &self.map, &self.plan).await?;
        events::check_stream(&client, &self.map, &self.plan.table.name).await?;
        self.canceller = Some(crate::db::Canceller::new(
            &client,
            s.settings.config.database.as_ref(),
        ));
        self.client = Some(client);
        Ok(Planned::Go(InterventionPlan {
            tenant: self.tenant.clone(),
            table: self.plan.table.name.clone(),
            form: self.plan.form.as_str(),
            operation: self.plan.op.as_str(),
            max_rows: self.max_rows,
            role: role.name,
            executed: self.plan.executed_sql(self.max_rows),
            atomic: matches!(s.store, Store::Postgres(_)),
        }))
    }

    fn headline(&self, p: &InterventionPlan, _: &Actor) -> String {
        format!(
            "Plan: {} on {} for tenant {} ({}), as database role {} under row-level security, at most {} row(s)",
            p.operation,
            self.map.qualified(&p.table),
            p.tenant,
            self.reason,
            p.role,
            p.max_rows
        )
    }

    fn target(&self, p: &InterventionPlan) -> Target {
        Target {
            tenant: Some(p.tenant.to_string()),
            resource: Some(self.map.qualified(&p.table)),
        }
    }

    fn confirmation(&self, _: &InterventionPlan) -> Confirmation {
        // Asked after the preview, inside the work; this one is never shown.
        Confirmation::Ask("Run the statement and show its preview?".into())
    }

    fn dry_run_is_work(&self) -> bool {
        true
    }

    /// Tenant, form, operation and tables; sealed: the statement as given
    /// and as it runs, with its values and named rows. Not `--max-rows`:
    /// the preview's row count binds instead.
    fn approval_subject(&self, p: &InterventionPlan) -> Option<Subject> {
        let plan = &self.plan;
        Some(Subject {
            plan: json!({
                "tenant": p.tenant.to_string(),
                "form": plan.form.as_str(),
                "operation": plan.op.as_str(),
                "table": plan.table.name,
                "tables": plan.tables,
                "columns": plan.set_values.keys().collect::<Vec<_>>(),
            }),
            personal: Some(Personal {
                tenant: p.tenant.to_string(),
                data: json!({
                    "statement": plan.statement,
                    "change": plan.change.sql,
                    "values": plan.set_values,
                    "rows": plan.expect,
                }),
            }),
        })
    }

    /// The rows the statement changes are known only from its preview.
    fn approval_after_preview(&self) -> bool {
        true
    }

    fn approval_needed(
        &self,
        _: &InterventionPlan,
        policy: &ApprovalPolicy,
        rows: Option<u64>,
    ) -> Option<bool> {
        needs_approval(&self.plan, policy, rows)
    }

    fn intent(&self, p: &InterventionPlan) -> Intent {
        Intent {
            content: intent_content(&self.plan, p),
            personal: Some(Personal {
                tenant: p.tenant.to_string(),
                data: json!({
                    "statement": self.plan.statement,
                    "executed": p.executed,
                }),
            }),
        }
    }

    async fn work(
        &mut self,
        p: &InterventionPlan,
        step: &mut Step<'_, '_>,
    ) -> anyhow::Result<Done<Intervened>> {
        let Some(client) = self.client.as_mut() else {
            anyhow::bail!("internal error: the intervention has no database connection");
        };
        let backend_pid: i32 = client
            .query_one("SELECT pg_catalog.pg_backend_pid()", &[])
            .await
            .map(|r| r.get(0))
            .unwrap_or(0);
        let tenant = p.tenant.as_str();
        let mut cancel_on_drop = CancelOnDrop(self.canceller.clone());
        let tx = run::begin(client, &self.map, tenant).await?;
        let who = Initiator {
            audit_id: step.intent.id,
            user: step.session.actor.user.clone(),
            reason: self.reason.clone(),
        };
        let preview =
            preview_with_events(&tx, &self.map, &self.plan, tenant, p.max_rows, &who).await;
        cancel_on_drop.disarm();
        let (preview, written) = match preview {
            Ok(preview) => preview,
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(anyhow::Error::new(e).context("nothing was changed (rolled back)"));
            }
        };
        let rows = match preview {
            Preview::Ready(rows) => rows,
            refused => {
                let _ = tx.rollback().await;
                return Ok(refused_outcome(&self.plan, p, &refused));
            }
        };
        (self.show_preview)(&self.plan, &rows, p.max_rows);
        show_events(step, &written);
        let approved = match gate(&self.plan, &self.tenant, step, &rows).await {
            Ok(a) => a,
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(e.context("nothing was changed (rolled back)"));
            }
        };
        if step.dry_run {
            let _ = tx.rollback().await;
            let content = content::to_value(&InterveneOutcome {
                dry_run: Some(true),
                rows: Some(rows.len() as u64),
                committed: Some(false),
                ..Default::default()
            });
            let done = Intervened {
                rows,
                committed: false,
                refused: None,
                events: written,
            };
            return Ok(Done::ok(done, content));
        }
        let question = format!(
            "Commit: {} {} row(s) of {} for tenant {tenant}?",
            p.operation,
            rows.len(),
            p.table
        );
        let confirmed = tokio::task::block_in_place(|| step.confirm(&question));
        if !matches!(confirmed, Ok(true)) {
            let _ = tx.rollback().await;
            let detail = match &confirmed {
                Err(e) => format!("not confirmed ({e:#}); rolled back"),
                _ => "declined at the confirmation; rolled back".into(),
            };
            step.close(Outcome::Aborted, failure(detail), None).await?;
            anyhow::bail!("not confirmed; nothing was changed");
        }
        commit(
            step,
            tx,
            &self.plan,
            p,
            (rows, written),
            backend_pid,
            approved,
        )
        .await
    }
}

/// `approvals.intervene.only_sql` and `.above_rows`; `None` while the rows
/// are not known.
fn needs_approval(plan: &Plan, policy: &ApprovalPolicy, rows: Option<u64>) -> Option<bool> {
    if policy.only_sql && plan.form != Form::Sql {
        return Some(false);
    }
    match (policy.above_rows, rows) {
        (None, _) => Some(true),
        (Some(limit), Some(rows)) => Some(rows > limit),
        (Some(_), None) => None,
    }
}

/// The approval step once the preview has shown what the statement changes:
/// the digest covers the rows per table.
async fn gate(
    plan: &Plan,
    tenant: &TenantId,
    step: &mut Step<'_, '_>,
    rows: &[RowChange],
) -> anyhow::Result<Approved> {
    let mut collateral: std::collections::BTreeMap<String, u64> = Default::default();
    for c in rows.iter().filter_map(|r| r.collateral.as_ref()) {
        *collateral.entry(c.table.clone()).or_default() += 1;
    }
    let own = rows.iter().filter(|r| r.collateral.is_none()).count() as u64;
    let needed = step
        .approval_policy()
        .and_then(|policy| needs_approval(plan, policy, Some(rows.len() as u64)))
        .unwrap_or(false);
    let key = step.session.store.active_key(tenant.as_str()).await?;
    let which = key.map(|k| rows_tag(&k, &plan.table, rows));
    let preview = json!({ "rows": own, "collateral": collateral, "which_rows": which });
    step.approve(preview, needed).await
}

/// Which rows the preview changes, by key (table and key columns of every
/// row it had before): the same statement over the same number of other rows
/// is another plan. Keyed (HMAC under a key derived from the tenant's audit
/// key) because the request is recorded in plaintext; the row keys are not.
/// Inserted rows have no key before the change and count by number only.
fn rows_tag(key: &crate::audit::seal::TenantKey, table: &TableRef, rows: &[RowChange]) -> String {
    let mut lines: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let before = r.before.as_ref()?;
            let (table, cols) = match &r.collateral {
                Some(c) => (c.table.as_str(), &c.key),
                None => (table.name.as_str(), &table.key),
            };
            let values: Vec<&Value> = cols
                .iter()
                .map(|c| before.get(c).unwrap_or(&Value::Null))
                .collect();
            Some(json!([table, values]).to_string())
        })
        .collect();
    lines.sort();
    let tag = ring::hmac::sign(
        &key.derived(b"ltops approval: the rows an intervention changes"),
        lines.join("\n").as_bytes(),
    );
    hex::encode(tag.as_ref())
}

/// The preview, and then the events of its rows in the same transaction: a
/// refusal of the events refuses the whole change.
async fn preview_with_events(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &Plan,
    tenant: &str,
    max_rows: u64,
    who: &Initiator,
) -> Result<(Preview, Vec<Written>), InterventionError> {
    let rows = match run::preview(tx, map, plan, tenant, max_rows).await? {
        Preview::Ready(rows) => rows,
        other => return Ok((other, Vec::new())),
    };
    match events::write(tx, map, &plan.table, &rows, tenant, who).await? {
        Ok(written) => Ok((Preview::Ready(rows), written)),
        Err(why) => Ok((Preview::Refused(why), Vec::new())),
    }
}

/// Tells the operator which events the change writes (stderr, with the preview).
fn show_events(step: &Step<'_, '_>, written: &[Written]) {
    if written.is_empty() {
        return;
    }
    let mut tables: Vec<&str> = written.iter().map(|w| w.table.as_str()).collect();
    tables.dedup();
    let list: Vec<String> = written
        .iter()
        .take(10)
        .map(|w| format!("{} {}#{}", w.event_type, w.stream, w.seq))
        .collect();
    step.session.ui.status(&format!(
        "Events: {} written to {} in the same transaction: {}{}",
        written.len(),
        tables.join(", "),
        list.join(", "),
        if written.len() > list.len() {
            ", …"
        } else {
            ""
        }
    ));
}

/// The commit, shielded from Ctrl-C: with the outcome inside the change's
/// transaction (audit log in this database), or appended right after it.
async fn commit(
    step: &mut Step<'_, '_>,
    tx: Transaction<'_>,
    plan: &Plan,
    p: &InterventionPlan,
    (rows, written): (Vec<RowChange>, Vec<Written>),
    backend_pid: i32,
    // Only a plan that passed the approval step is committed.
    _approved: Approved,
) -> anyhow::Result<Done<Intervened>> {
    let _shield = step.shield();
    let content = outcome_content(plan, &rows, written.len(), p.atomic);
    let images = Personal {
        tenant: p.tenant.to_string(),
        data: json!({
            "rows": rows.iter().map(image_record).collect::<Vec<_>>(),
        }),
    };
    let pause = step
        .session
        .settings
        .env
        .get(TEST_PAUSE_ENV)
        .map(str::to_owned);
    let done = Intervened {
        rows,
        committed: true,
        refused: None,
        events: written,
    };
    if p.atomic {
        let outcome = commit_atomic(
            step,
            tx,
            content.clone(),
            images,
            pause.as_deref(),
            backend_pid,
        )
        .await?;
        step.closed_with(outcome);
        return Ok(Done::ok(done, content));
    }
    test_pause(step, pause.as_deref(), backend_pid).await;
    if let Err(e) = tx.commit().await {
        let detail = crate::db::error_chain(&e);
        step.close(Outcome::Failed, failure(format!("COMMIT failed: {detail}; if the connection broke during COMMIT, whether the change was committed is unknown — compare the rows with the preview")), None).await?;
        anyhow::bail!(
            "COMMIT failed: {detail} — if the connection broke during COMMIT, whether the change was committed is unknown: compare the rows with the preview above"
        );
    }
    let mut done = Done::ok(done, content);
    done.personal = Some(images);
    Ok(done)
}

/// A preview that cannot be committed: recorded, reported, exit status 1.
fn refused_outcome(plan: &Plan, p: &InterventionPlan, preview: &Preview) -> Done<Intervened> {
    let why = refusal(plan, preview, p.tenant.as_str());
    let (result, content) = match preview {
        Preview::TooMany { at_least, limit } => (
            Outcome::Failed,
            InterveneOutcome {
                error: Some("refused: more rows than the limit".into()),
                at_least: Some(*at_least),
                max_rows: Some(*limit),
                ..Default::default()
            },
        ),
        Preview::Missing(keys) => (
            Outcome::Failed,
            InterveneOutcome {
                error: Some("refused: named rows not found for the tenant".into()),
                missing: Some(keys.len() as u64),
                ..Default::default()
            },
        ),
        Preview::Refused(why) => (
            Outcome::Failed,
            InterveneOutcome {
                error: Some(format!("refused: {why}")),
                ..Default::default()
            },
        ),
        Preview::Nothing | Preview::Ready(_) => (
            Outcome::Ok,
            InterveneOutcome {
                rows: Some(0),
                committed: Some(false),
                ..Default::default()
            },
        ),
    };
    let content = content::to_value(&content);
    Done {
        value: Intervened {
            rows: Vec::new(),
            committed: false,
            refused: Some(why),
            events: Vec::new(),
        },
        result,
        content,
        personal: None,
    }
}

/// Why a preview cannot be committed, for a message and the record.
fn refusal(plan: &Plan, preview: &Preview, tenant: &str) -> String {
    match preview {
        Preview::Ready(_) => String::new(),
        Preview::TooMany { at_least, limit } => format!(
            "the statement affects {}{at_least} rows, more than the limit of {limit}: check the WHERE, or allow more with --max-rows N",
            if plan.op == Op::Insert {
                ""
            } else {
                "at least "
            }
        ),
        Preview::Nothing => {
            format!("the statement affects no row of tenant {tenant}: nothing to change")
        }
        Preview::Missing(keys) => format!(
            "not found for tenant {tenant}: {} — no such row, or it belongs to another tenant",
            keys.iter().map(key_text).collect::<Vec<_>>().join(", ")
        ),
        Preview::Refused(why) => why.clone(),
    }
}

/// `col=value col=value`, the way rows are named to the operator.
pub fn key_text(key: &Map<String, Value>) -> String {
    key.iter()
        .map(|(k, v)| format!("{k}={}", cell(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value as a cell: NULL spelled out, strings without quotes.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The outcome with its images is appended inside the change's transaction, so
/// that COMMIT makes both durable or neither. If the answer to COMMIT is lost,
/// the log itself tells whether it happened.
async fn commit_atomic(
    step: &mut Step<'_, '_>,
    tx: Transaction<'_>,
    content: Value,
    images: Personal,
    pause: Option<&str>,
    backend_pid: i32,
) -> anyhow::Result<Event> {
    let target = step.session.store.describe();
    let draft = step.action.outcome(&step.intent, Outcome::Ok, content);
    let outcome = match pg_store::append_in(&tx, &target, draft, Some(images)).await {
        Ok(o) => o,
        Err(e) => {
            let _ = tx.rollback().await;
            let e = anyhow::Error::new(e);
            step.close(
                Outcome::Failed,
                failure(format!(
                    "recording the outcome in the change's transaction failed: {e:#}; rolled back"
                )),
                None,
            )
            .await?;
            return Err(e.context("the outcome could not be recorded with the change, so nothing was changed (rolled back)"));
        }
    };
    test_pause(step, pause, backend_pid).await;
    let Err(e) = tx.commit().await else {
        return Ok(outcome);
    };
    let detail = crate::db::error_chain(&e);
    let Store::Postgres(pg) = &step.session.store else {
        anyhow::bail!("COMMIT failed: {detail}");
    };
    match pg.has_event(outcome.id).await {
        Ok(true) => {
            step.session.ui.warn(&format!(
                "COMMIT reported `{detail}`, but the outcome seq {} is in the log: the change and its record are committed",
                outcome.seq
            ));
            Ok(outcome)
        }
        Ok(false) => {
            step.close(
                Outcome::Failed,
                failure(format!(
                    "COMMIT failed: {detail}; the change and its record were rolled back together"
                )),
                None,
            )
            .await?;
            anyhow::bail!(
                "COMMIT failed: {detail} — the change and its record were rolled back together: nothing was changed"
            )
        }
        Err(check) => {
            // Nothing can be recorded truthfully: the intent stays unfinished.
            step.closed_with(outcome);
            anyhow::bail!(
                "COMMIT failed: {detail}, and the audit store cannot tell whether it committed ({check}): intent seq {} stays unfinished — `ltops audit show --tenant {}` shows whether its outcome exists",
                step.intent.seq,
                step.action.target.tenant.as_deref().unwrap_or("?")
            )
        }
    }
}

fn intent_content(plan: &Plan, p: &InterventionPlan) -> Value {
    content::to_value(&InterveneIntent {
        form: plan.form.as_str().into(),
        operation: plan.op.as_str().into(),
        table: plan.table.name.clone(),
        tables: plan.tables.iter().cloned().collect(),
        // Only `--set` names columns; the other forms leave the field out.
        columns: (!plan.set_values.is_empty()).then(|| plan.set_values.keys().cloned().collect()),
        max_rows: p.max_rows,
        atomic: p.atomic,
    })
}

fn outcome_content(plan: &Plan, rows: &[RowChange], events: usize, atomic: bool) -> Value {
    let mut columns: Vec<String> = Vec::new();
    for r in rows {
        for c in r.changed_columns() {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    let own = rows.iter().filter(|r| r.collateral.is_none()).count();
    let collateral = rows.len() - own;
    let mut others: Vec<String> = rows
        .iter()
        .filter_map(|r| r.collateral.as_ref()?.other_tenant.clone())
        .collect();
    others.sort();
    others.dedup();
    let n = Some(own as u64);
    // The count is written a second time under the operation's past tense.
    let (inserted, updated, deleted) = match plan.op {
        Op::Insert => (n, None, None),
        Op::Update => (None, n, None),
        Op::Delete => (None, None, n),
    };
    content::to_value(&InterveneOutcome {
        operation: Some(plan.op.as_str().into()),
        table: Some(plan.table.name.clone()),
        rows: n,
        inserted,
        updated,
        deleted,
        columns: Some(columns),
        committed: Some(true),
        atomic: Some(atomic),
        collateral: (collateral > 0).then_some(collateral as u64),
        other_tenants: (!others.is_empty()).then_some(others),
        // Only tables with a stream write events; the TOM control (TOM §5)
        // matches this count with the events carrying the intent's id.
        events: (events > 0).then_some(events as u64),
        ..Default::default()
    })
}

/// One row's images as recorded; a collateral row with its table and the
/// foreign key that reached it.
fn image_record(r: &RowChange) -> Value {
    match &r.collateral {
        None => json!({ "before": r.before, "after": r.after }),
        Some(c) => json!({
            "table": c.table,
            "via": c.via,
            "tenant": c.other_tenant,
            "before": r.before,
            "after": r.after,
        }),
    }
}

/// A failed or declined ending, in words.
fn failure(error: impl Into<String>) -> Value {
    content::to_value(&Failure {
        error: error.into(),
    })
}

/// See [`TEST_PAUSE_ENV`].
async fn test_pause(step: &Step<'_, '_>, gate: Option<&str>, backend_pid: i32) {
    #[cfg(debug_assertions)]
    if let Some(path) = gate {
        let gate = std::path::PathBuf::from(path);
        let waiting = gate.with_extension("waiting");
        let _ = std::fs::write(&waiting, backend_pid.to_string());
        step.session.ui.status(&format!(
            "{TEST_PAUSE_ENV}: waiting for {} before COMMIT",
            gate.display()
        ));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while !gate.exists() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (step, gate, backend_pid);
}
