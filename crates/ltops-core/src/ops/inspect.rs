//! `inspect` as a use case: a documented read of one tenant's data. It is
//! guarded and recorded like a change (identity, permission `inspect`, reason,
//! intent before, outcome after) because a read of personal data is an action;
//! it asks no confirmation, since it changes nothing. The statement runs in a
//! READ ONLY transaction scoped to the tenant, the role and row-level security
//! checked as for an intervention; personal columns come back masked unless
//! revealed. The record holds the statement (sealed under the tenant key), the
//! tables, the columns masked and revealed and the row count — never a value.

use serde::Serialize;
use serde_json::json;
use tokio_postgres::Client;

use super::intervene::CancelOnDrop;
use super::mutation::{Confirmation, Done, Intent, Mutation, Planned, Session, Step};
use crate::audit::Personal;
use crate::audit::content::{self, InspectIntent, InspectOutcome};
use crate::audit::event::{Reason, Target};
use crate::aws::identity::Actor;
use crate::datamap::DataMap;
use crate::inspection::mask::{Cell, MaskKey};
use crate::inspection::{self, Column, ReadPlan};
use crate::intervention::run;
use crate::settings::{MutatingCommand, Settings};
use crate::tenant_id::TenantId;

/// The largest `--max-rows`: one more row than the cap is asked for.
pub const MAX_ROWS_LIMIT: u64 = i64::MAX as u64 - 1;

pub struct Inspect {
    map: DataMap,
    plan: ReadPlan,
    tenant: TenantId,
    max_rows: u64,
    limit: Option<u64>,
    reveal: Vec<String>,
    reason: Reason,
    client: Option<Client>,
    canceller: Option<crate::db::Canceller>,
}

/// What will be read, as shown before it runs.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionPlan {
    pub tenant: TenantId,
    pub form: &'static str,
    pub table: Option<String>,
    pub tables: Vec<String>,
    pub columns: Vec<Column>,
    /// Personal columns shown masked.
    pub masked: Vec<String>,
    /// Personal columns shown in clear.
    pub revealed: Vec<String>,
    pub max_rows: u64,
    pub limit: Option<u64>,
    pub role: String,
    /// The SQL that runs (with the row check); on stderr with `-v` only.
    #[serde(skip)]
    pub executed: String,
}

/// What was read, masked.
#[derive(Debug, Clone, Default)]
pub struct Inspected {
    pub rows: Vec<Vec<Cell>>,
    /// More rows matched than the cap let through.
    pub truncated: bool,
}

/// How the record names a column of the result: by its origin (`leads.email`,
/// a name of the schema, not of the operator), or by position when computed.
fn label(index: usize, c: &Column) -> String {
    c.origin
        .clone()
        .unwrap_or_else(|| format!("(computed, column {})", index + 1))
}

/// The options of one read.
pub struct ReadOptions {
    pub max_rows: Option<u64>,
    pub limit: Option<u64>,
    pub reveal: Vec<String>,
}

impl Inspect {
    pub fn new(
        settings: &Settings,
        map: DataMap,
        plan: ReadPlan,
        tenant: TenantId,
        options: ReadOptions,
        reason: Reason,
    ) -> Inspect {
        let max_rows = options
            .max_rows
            .unwrap_or_else(|| settings.config.inspect.max_rows())
            .min(MAX_ROWS_LIMIT);
        Inspect {
            map,
            plan,
            tenant,
            max_rows,
            limit: options.limit,
            reveal: options.reveal,
            reason,
            client: None,
            canceller: None,
        }
    }

    /// `--reveal` must name personal columns of the result; `--limit` must
    /// stay within the cap. Checked before anything is recorded.
    fn check_options(&self, columns: &[Column]) -> anyhow::Result<()> {
        if let Some(limit) = self.limit
            && limit > self.max_rows
        {
            anyhow::bail!(
                "--limit {limit} is above the row cap of {} (inspect.max_rows): allow it with --max-rows {limit}",
                self.max_rows
            );
        }
        for r in &self.reveal {
            if !columns.iter().any(|c| c.personal && &c.name == r) {
                let personal: Vec<&str> = columns
                    .iter()
                    .filter(|c| c.personal)
                    .map(|c| c.name.as_str())
                    .collect();
                anyhow::bail!(
                    "--reveal {r}: the result has no masked column `{r}` (masked: {})",
                    if personal.is_empty() {
                        "none".to_owned()
                    } else {
                        personal.join(", ")
                    }
                );
            }
        }
        Ok(())
    }
}

impl Mutation for Inspect {
    type Plan = InspectionPlan;
    type Done = Inspected;

    fn command(&self) -> MutatingCommand {
        MutatingCommand::Inspect
    }

    fn action(&self, _: &InspectionPlan) -> String {
        "inspect".into()
    }

    fn confirms(&self) -> bool {
        false
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<InspectionPlan>> {
        let mut client =
            crate::db::connect(s.settings.config.database.as_ref(), &s.settings.env, &s.sdk)
                .await?;
        let role = run::check_role_and_rls(&client, &self.map, &self.plan.tables).await?;
        run::check_tenant(&mut client, &self.map, self.tenant.as_str()).await?;
        let columns = {
            let tx = run::begin_scoped(&mut client, &self.map, self.tenant.as_str(), true).await?;
            let columns = inspection::describe(&tx, &self.map, &self.plan).await;
            let _ = tx.rollback().await;
            columns?
        };
        self.check_options(&columns)?;
        let names = |revealed: bool| -> Vec<String> {
            let mut v: Vec<String> = columns
                .iter()
                .filter(|c| c.personal && self.reveal.contains(&c.name) == revealed)
                .map(|c| c.name.clone())
                .collect();
            v.dedup();
            v
        };
        let (masked, revealed) = (names(false), names(true));
        self.canceller = Some(crate::db::Canceller::new(
            &client,
            s.settings.config.database.as_ref(),
        ));
        self.client = Some(client);
        Ok(Planned::Go(InspectionPlan {
            tenant: self.tenant.clone(),
            form: self.plan.form.as_str(),
            table: self.plan.table.clone(),
            tables: self.plan.tables.iter().cloned().collect(),
            columns,
            masked,
            revealed,
            max_rows: self.max_rows,
            limit: self.limit,
            role: role.name,
            executed: self.plan.sql.clone(),
        }))
    }

    fn headline(&self, p: &InspectionPlan, _: &Actor) -> String {
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        format!(
            "Read: {} for tenant {} ({}), as database role {} under row-level security, read only, at most {} row(s); masked: {}; revealed: {}",
            p.tables
                .iter()
                .map(|t| self.map.qualified(t))
                .collect::<Vec<_>>()
                .join(", "),
            p.tenant,
            self.reason,
            p.role,
            p.limit.unwrap_or(p.max_rows),
            list(&p.masked),
            list(&p.revealed)
        )
    }

    fn target(&self, p: &InspectionPlan) -> Target {
        Target {
            tenant: Some(p.tenant.to_string()),
            resource: Some(
                p.tables
                    .iter()
                    .map(|t| self.map.qualified(t))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }

    fn confirmation(&self, _: &InspectionPlan) -> Confirmation {
        // Never asked: `confirms()` is false.
        Confirmation::Ask("Read?".into())
    }

    fn intent(&self, p: &InspectionPlan) -> Intent {
        let labels = |pick: &dyn Fn(&Column) -> bool| -> Vec<String> {
            p.columns
                .iter()
                .enumerate()
                .filter(|(_, c)| pick(c))
                .map(|(i, c)| label(i, c))
                .collect()
        };
        Intent {
            content: content::to_value(&InspectIntent {
                form: p.form.into(),
                table: p.table.clone(),
                tables: p.tables.clone(),
                columns: labels(&|_| true),
                masked: labels(&|c| c.personal && !p.revealed.contains(&c.name)),
                revealed: labels(&|c| c.personal && p.revealed.contains(&c.name)),
                max_rows: p.max_rows,
            }),
            // The result's column names are the operator's aliases and may say
            // anything: they are sealed with the statement.
            personal: Some(Personal {
                tenant: p.tenant.to_string(),
                data: json!({
                    "statement": self.plan.statement,
                    "executed": p.executed,
                    "columns": p.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                }),
            }),
        }
    }

    async fn work(
        &mut self,
        p: &InspectionPlan,
        step: &mut Step<'_, '_>,
    ) -> anyhow::Result<Done<Inspected>> {
        let tenant = p.tenant.as_str();
        // The intent sealed the statement under the tenant key, so it exists.
        let Some(key) = step.session.store.active_key(tenant).await? else {
            anyhow::bail!(
                "tenant {tenant} has no audit key to derive the masking key from (erased?): nothing was read"
            );
        };
        let mask_key = MaskKey::derive(&key);
        let Some(client) = self.client.as_mut() else {
            anyhow::bail!("internal error: the inspection has no database connection");
        };
        let fetch = p.limit.unwrap_or(p.max_rows.saturating_add(1));
        let mut cancel_on_drop = CancelOnDrop(self.canceller.clone());
        let tx = run::begin_scoped(client, &self.map, tenant, true).await?;
        let fetched = inspection::fetch(&tx, &self.plan, p.columns.len(), fetch).await;
        cancel_on_drop.disarm();
        let _ = tx.rollback().await;
        let mut raw = fetched?;
        let truncated = p.limit.is_none() && raw.len() as u64 > p.max_rows;
        raw.truncate(usize::try_from(p.max_rows).unwrap_or(usize::MAX));
        let rows: Vec<Vec<Cell>> = raw
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&p.columns)
                    .map(|(v, c)| match v {
                        Some(v) if c.personal && !p.revealed.contains(&c.name) => {
                            Cell::Masked(mask_key.mask(&v))
                        }
                        v => Cell::Clear(v),
                    })
                    .collect()
            })
            .collect();
        let revealed: Vec<String> = p
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.personal && p.revealed.contains(&c.name))
            .map(|(i, c)| label(i, c))
            .collect();
        let outcome = content::to_value(&InspectOutcome {
            rows: Some(rows.len() as u64),
            truncated: Some(truncated),
            revealed: (!revealed.is_empty()).then_some(revealed),
            ..Default::default()
        });
        Ok(Done::ok(Inspected { rows, truncated }, outcome))
    }
}
