//! `retention.purge` as a use case: rows kept under a statutory retention
//! period after their tenant's erasure are deleted once the period has ended.

use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::Client;

use super::mutation::{Confirmation, Done, Intent, Mutation, Planned, Session, Step};
use crate::approval::Subject;
use crate::audit::content::{self, PurgeIntent, PurgeOutcome, TableRows};
use crate::audit::event::Target;
use crate::aws::identity::Actor;
use crate::datamap::DataMap;
use crate::erasure::{ledger, purge};
use crate::settings::MutatingCommand;

pub struct Purge {
    map: DataMap,
    client: Option<Client>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurgePlan {
    pub today: NaiveDate,
    pub due: Vec<purge::Due>,
}

impl PurgePlan {
    pub fn total(&self) -> i64 {
        self.due.iter().map(|d| d.due).sum()
    }
}

/// Rows deleted, per tenant and table.
#[derive(Debug, Clone, Serialize)]
pub struct Purged {
    pub tenant: String,
    pub table: String,
    pub deleted: i64,
}

impl Purge {
    pub fn new(map: DataMap) -> Purge {
        Purge { map, client: None }
    }
}

impl Mutation for Purge {
    type Plan = PurgePlan;
    type Done = Vec<Purged>;

    fn command(&self) -> MutatingCommand {
        MutatingCommand::RetentionPurge
    }

    fn action(&self, _: &PurgePlan) -> String {
        "retention.purge".into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<PurgePlan>> {
        let today = s.settings.today;
        if s.settings.fake_today {
            s.ui.warn(&format!(
                "LTOPS_FAKE_TODAY moves today to {today} (test clock)"
            ));
        }
        let entries = ledger::entries(&s.store.read_all().await?);
        let mut tenants: Vec<String> = entries.iter().map(|e| e.tenant.clone()).collect();
        tenants.sort();
        tenants.dedup();
        let mut client =
            crate::db::connect(s.settings.config.database.as_ref(), &s.settings.env, &s.sdk)
                .await?;
        let due = purge::due(&mut client, &self.map, &tenants, today).await?;
        self.client = Some(client);
        let plan = PurgePlan { today, due };
        Ok(if plan.total() == 0 {
            s.ui.status(&self.headline(&plan, &s.actor));
            Planned::Stop { plan, no: false }
        } else {
            Planned::Go(plan)
        })
    }

    fn headline(&self, p: &PurgePlan, _: &Actor) -> String {
        format!(
            "Plan: delete {} retained rows of erased tenants whose period ended before {}",
            p.total(),
            p.today
        )
    }

    fn target(&self, _: &PurgePlan) -> Target {
        Target::default()
    }

    fn confirmation(&self, p: &PurgePlan) -> Confirmation {
        Confirmation::Ask(format!(
            "Delete {} rows whose retention has ended?",
            p.total()
        ))
    }

    fn intent(&self, p: &PurgePlan) -> Intent {
        Intent::new(content::to_value(&PurgeIntent {
            today: p.today.to_string(),
            due: p
                .due
                .iter()
                .map(|d| TableRows {
                    tenant: d.tenant.clone(),
                    table: d.table.clone(),
                    rows: d.due,
                })
                .collect(),
        }))
    }

    /// The rows due per tenant and table; not the day (a plan approved
    /// yesterday with the same rows due is the same plan).
    fn approval_subject(&self, p: &PurgePlan) -> Option<Subject> {
        // Which rows are due, not only how many: the same counts over other
        // rows are another purge.
        let due: Vec<serde_json::Value> = p
            .due
            .iter()
            .map(|d| {
                serde_json::json!({
                    "tenant": d.tenant,
                    "table": d.table,
                    "rows": d.due,
                    "rows_sha256": d.due_sha256,
                })
            })
            .collect();
        Some(Subject {
            plan: serde_json::json!({ "due": due }),
            personal: None,
        })
    }

    async fn work(
        &mut self,
        p: &PurgePlan,
        _: &mut Step<'_, '_>,
    ) -> anyhow::Result<Done<Vec<Purged>>> {
        let client = self
            .client
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("internal error: no database connection"))?;
        let done = purge::purge(client, &self.map, &p.due, p.today).await?;
        let content = content::to_value(&PurgeOutcome {
            deleted: done
                .iter()
                .map(|(tenant, table, rows)| TableRows {
                    tenant: tenant.clone(),
                    table: table.clone(),
                    rows: *rows,
                })
                .collect(),
        });
        let purged = done
            .into_iter()
            .map(|(tenant, table, deleted)| Purged {
                tenant,
                table,
                deleted,
            })
            .collect();
        Ok(Done::ok(purged, content))
    }
}
