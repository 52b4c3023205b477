//! Mutations whose whole effect is an entry in the audit log: `audit init`
//! (which creates the log), `audit record` (a manual action documented after
//! the fact) and `tom attest` (the DPO's attestation).

use anyhow::bail;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use tokio_postgres::Client;

use super::mutation::{Confirmation, Done, Intent, Mutation, Planned, Session, Step};
use crate::audit::anchor::Anchor;
use crate::audit::content::{
    self, AuditInitIntent, AuditInitOutcome, AuditRecordIntent, AuditRecordOutcome,
    TomAttestOutcome,
};
use crate::audit::event::{Draft, Event, Outcome, Target};
use crate::audit::{Personal, pg_store};
use crate::aws::identity::Actor;
use crate::settings::{AuditStoreKind, MutatingCommand};
use crate::tenant_id::TenantId;
use crate::tom::attest;
use crate::tom::catalog::Validity;

/// `audit init`: where the log starts, and which roles may append to it.
pub struct AuditInit {
    pub grant: Vec<String>,
    client: Option<Client>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitPlan {
    pub store: String,
    pub postgres: bool,
    pub granted: Vec<String>,
    /// The anchor as checked (bucket, lock, key), when one is configured.
    pub anchor: Vec<String>,
}

impl AuditInit {
    pub fn new(grant: Vec<String>) -> anyhow::Result<AuditInit> {
        for role in &grant {
            if role.is_empty() || role.len() > 63 {
                bail!("--grant `{role}` is not a role name");
            }
        }
        Ok(AuditInit {
            grant,
            client: None,
        })
    }
}

impl Mutation for AuditInit {
    type Plan = InitPlan;
    type Done = ();

    fn command(&self) -> MutatingCommand {
        MutatingCommand::AuditInit
    }

    fn action(&self, _: &InitPlan) -> String {
        "audit.init".into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<InitPlan>> {
        let postgres = s.settings.config.audit.store == AuditStoreKind::Postgres;
        if !postgres && !self.grant.is_empty() {
            bail!("--grant applies to the postgres store only; this config uses the file store");
        }
        // A bucket that can be emptied, or outside the EEA, is refused here.
        let anchor = match &s.settings.config.audit.anchor {
            Some(cfg) => Anchor::new(&s.sdk, cfg).check().await?,
            None => Vec::new(),
        };
        Ok(Planned::Go(InitPlan {
            store: s.store.describe(),
            postgres,
            granted: self.grant.clone(),
            anchor,
        }))
    }

    fn headline(&self, p: &InitPlan, _: &Actor) -> String {
        let anchored = if p.anchor.is_empty() {
            String::new()
        } else {
            format!("; anchored in {}", p.anchor.join(", "))
        };
        let store = if p.postgres {
            format!(
                "Plan: create schema ltops_audit (events, tenant_keys, append-only trigger) in {}{}",
                p.store,
                if p.granted.is_empty() {
                    String::new()
                } else {
                    format!("; grant INSERT, SELECT to {}", p.granted.join(", "))
                }
            )
        } else {
            format!("Plan: start the audit log {}", p.store)
        };
        store + &anchored
    }

    fn target(&self, _: &InitPlan) -> Target {
        Target::default()
    }

    fn confirmation(&self, p: &InitPlan) -> Confirmation {
        Confirmation::Ask(if p.postgres {
            "Create the audit schema?".into()
        } else {
            format!("Start the audit log {}?", p.store)
        })
    }

    fn intent(&self, p: &InitPlan) -> Intent {
        Intent::new(content::to_value(&AuditInitIntent {
            store: p.store.clone(),
            // Grants exist only in the postgres store; the file store's intent
            // leaves the field out rather than recording an empty list.
            grant: p.postgres.then(|| p.granted.clone()),
        }))
    }

    /// Postgres: schema, grants and the record of doing it commit together or
    /// not at all, so the intent is written inside the transaction that creates
    /// the schema.
    async fn record_intent(
        &mut self,
        p: &InitPlan,
        s: &mut Session<'_>,
        draft: Draft,
        personal: Option<Personal>,
    ) -> anyhow::Result<Event> {
        if !p.postgres {
            return Ok(s.store.append(draft, personal).await?);
        }
        let client =
            crate::db::connect(s.settings.config.database.as_ref(), &s.settings.env, &s.sdk)
                .await?;
        client.batch_execute("BEGIN").await?;
        let created = async {
            client
                .batch_execute(pg_store::SCHEMA_SQL)
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "creating schema ltops_audit: {}",
                        crate::db::error_chain(&e)
                    )
                })?;
            for role in &p.granted {
                client
                    .batch_execute(&pg_store::grant_sql(role))
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!("granting to {role}: {}", crate::db::error_chain(&e))
                    })?;
            }
            Ok::<_, anyhow::Error>(pg_store::append_in(&client, &p.store, draft, personal).await?)
        }
        .await;
        if created.is_err() {
            let _ = client.batch_execute("ROLLBACK").await;
        }
        self.client = Some(client);
        created
    }

    async fn work(&mut self, p: &InitPlan, step: &mut Step<'_, '_>) -> anyhow::Result<Done<()>> {
        let content = content::to_value(&AuditInitOutcome { created: true });
        let Some(client) = &self.client else {
            return Ok(Done::ok((), content));
        };
        let draft = step
            .action
            .outcome(&step.intent, Outcome::Ok, content.clone());
        let committed = async {
            let outcome = pg_store::append_in(client, &p.store, draft, None).await?;
            client.batch_execute("COMMIT").await?;
            Ok::<_, anyhow::Error>(outcome)
        }
        .await;
        match committed {
            Ok(outcome) => {
                step.closed_with(outcome);
                Ok(Done::ok((), content))
            }
            Err(e) => {
                let _ = client.batch_execute("ROLLBACK").await;
                step.rolled_back_with_intent();
                Err(e.context("nothing was created (rolled back)"))
            }
        }
    }
}

/// `audit record`: documents a manual action (a console change, a call) with
/// reason and, for a tenant, a detail sealed under the tenant key.
pub struct AuditRecord {
    pub action: String,
    pub tenant: Option<TenantId>,
    pub resource: Option<String>,
    pub detail: Option<String>,
}

impl AuditRecord {
    pub fn new(
        action: String,
        tenant: Option<TenantId>,
        resource: Option<String>,
        detail: Option<String>,
    ) -> anyhow::Result<AuditRecord> {
        let valid = !action.is_empty()
            && action.len() <= 100
            && action
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if !valid {
            bail!(
                "--action `{action}` is not an action name: lower-case words joined by dots, e.g. manual.console.rds-modify"
            );
        }
        Ok(AuditRecord {
            action,
            tenant,
            resource,
            detail,
        })
    }
}

impl Mutation for AuditRecord {
    type Plan = ();
    type Done = ();

    fn command(&self) -> MutatingCommand {
        MutatingCommand::AuditRecord
    }

    fn action(&self, _: &()) -> String {
        self.action.clone()
    }

    async fn plan(&mut self, _: &mut Session<'_>) -> anyhow::Result<Planned<()>> {
        Ok(Planned::Go(()))
    }

    fn headline(&self, _: &(), actor: &Actor) -> String {
        format!(
            "Plan: record `{}`{}{} by {}{}",
            self.action,
            self.tenant
                .as_ref()
                .map(|t| format!(" on tenant {t}"))
                .unwrap_or_default(),
            self.resource
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            actor.user,
            if self.detail.is_some() && self.tenant.is_some() {
                "; the detail is stored encrypted under the tenant key"
            } else {
                ""
            }
        )
    }

    fn target(&self, _: &()) -> Target {
        Target {
            tenant: self.tenant.as_ref().map(TenantId::to_string),
            resource: self.resource.clone(),
        }
    }

    fn confirmation(&self, _: &()) -> Confirmation {
        Confirmation::Ask("Record this in the audit log?".into())
    }

    fn intent(&self, _: &()) -> Intent {
        match (&self.detail, &self.tenant) {
            (Some(d), Some(t)) => Intent {
                content: content::to_value(&AuditRecordIntent::default()),
                personal: Some(Personal {
                    tenant: t.to_string(),
                    data: json!({ "detail": d }),
                }),
            },
            (Some(d), None) => Intent::new(content::to_value(&AuditRecordIntent {
                detail: Some(d.clone()),
            })),
            (None, _) => Intent::new(content::to_value(&AuditRecordIntent::default())),
        }
    }

    async fn work(&mut self, _: &(), _: &mut Step<'_, '_>) -> anyhow::Result<Done<()>> {
        Ok(Done::ok(
            (),
            content::to_value(&AuditRecordOutcome { documented: true }),
        ))
    }
}

/// `tom attest`: the DPO's attestation of organisational controls. The
/// attestation is the intent's content; the TOM check reads it from the log.
pub struct Attest {
    pub controls: Vec<String>,
    pub evidence: String,
    pub validity: Validity,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttestPlan {
    pub attested_by: String,
    pub valid_until: DateTime<Utc>,
    #[serde(skip)]
    content: Value,
}

impl Mutation for Attest {
    type Plan = AttestPlan;
    type Done = ();

    fn command(&self) -> MutatingCommand {
        MutatingCommand::TomAttest
    }

    fn action(&self, _: &AttestPlan) -> String {
        attest::ACTION.into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<AttestPlan>> {
        let now = Utc::now();
        let until = self.validity.until(now);
        Ok(Planned::Go(AttestPlan {
            attested_by: s.actor.user.clone(),
            valid_until: until,
            content: attest::content(&self.controls, &self.evidence, &s.actor.user, now, until),
        }))
    }

    fn headline(&self, p: &AttestPlan, actor: &Actor) -> String {
        format!(
            "Plan: {} attests {} until {} with: {}",
            actor.user,
            self.controls.join(", "),
            p.valid_until.format("%Y-%m-%d"),
            self.evidence
        )
    }

    fn target(&self, _: &AttestPlan) -> Target {
        Target {
            tenant: None,
            resource: Some(self.controls.join(",")),
        }
    }

    fn confirmation(&self, _: &AttestPlan) -> Confirmation {
        Confirmation::Ask("Record this attestation in the audit log?".into())
    }

    fn intent(&self, p: &AttestPlan) -> Intent {
        Intent::new(p.content.clone())
    }

    async fn work(&mut self, _: &AttestPlan, _: &mut Step<'_, '_>) -> anyhow::Result<Done<()>> {
        Ok(Done::ok(
            (),
            content::to_value(&TomAttestOutcome {
                attested: self.controls.len() as u64,
            }),
        ))
    }
}
