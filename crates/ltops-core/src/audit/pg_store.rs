//! The central PostgreSQL store shared by all staff (schema `ltops_audit`). Appends
//! take a transaction-scoped advisory lock, so operators appending at the same
//! moment still produce one linear chain; appends can join the caller's
//! transaction so that a change and its record commit together.

use std::collections::HashMap;

use serde_json::Value;
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

use super::event::{Draft, Event, GENESIS};
use super::seal::{self, KeyState, TenantKey};
use super::{AuditError, Personal};

/// Serialises appenders across sessions; any constant unique to ltops will do.
pub(crate) const APPEND_LOCK: i64 = 0x6c74_6f70_735f_6175; // "ltops_au"

/// Creates the schema; idempotent. Runs as the schema owner (an admin), inside the
/// caller's transaction so that a half-created schema never exists.
pub const SCHEMA_SQL: &str = r#"
CREATE SCHEMA IF NOT EXISTS ltops_audit;
CREATE TABLE IF NOT EXISTS ltops_audit.events (
    seq        bigint PRIMARY KEY CHECK (seq > 0),
    id         uuid NOT NULL UNIQUE,
    at         timestamptz NOT NULL,
    action     text NOT NULL,
    phase      text NOT NULL CHECK (phase IN ('intent', 'outcome')),
    tenant     text,
    actor_user text NOT NULL,
    prev_hash  text NOT NULL,
    hash       text NOT NULL UNIQUE,
    line       text NOT NULL
);
CREATE INDEX IF NOT EXISTS events_tenant ON ltops_audit.events (tenant) WHERE tenant IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_action ON ltops_audit.events (action);
CREATE TABLE IF NOT EXISTS ltops_audit.tenant_keys (
    tenant       text PRIMARY KEY,
    key          bytea CHECK (key IS NULL OR length(key) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    destroyed_by uuid
);
CREATE OR REPLACE FUNCTION ltops_audit.append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ltops_audit.events is append-only (% refused)', TG_OP;
END $$;
DROP TRIGGER IF EXISTS events_append_only ON ltops_audit.events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ltops_audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION ltops_audit.append_only();
-- Operators may destroy a key (tenant erasure) but never read-modify the table.
CREATE OR REPLACE FUNCTION ltops_audit.destroy_tenant_key(p_tenant text, p_event uuid)
    RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE had boolean;
BEGIN
    INSERT INTO ltops_audit.tenant_keys (tenant, key, destroyed_at, destroyed_by)
    VALUES (p_tenant, NULL, now(), p_event)
    ON CONFLICT (tenant) DO NOTHING;
    SELECT key IS NOT NULL INTO had FROM ltops_audit.tenant_keys WHERE tenant = p_tenant;
    UPDATE ltops_audit.tenant_keys
       SET key = NULL,
           destroyed_at = coalesce(destroyed_at, now()),
           destroyed_by = coalesce(destroyed_by, p_event)
     WHERE tenant = p_tenant;
    RETURN had;
END $$;
REVOKE ALL ON FUNCTION ltops_audit.destroy_tenant_key(text, uuid) FROM PUBLIC;
"#;

/// Grants an operator role what it needs and nothing more: INSERT and SELECT.
pub fn grant_sql(role: &str) -> String {
    let r = quote_ident(role);
    format!(
        "GRANT USAGE ON SCHEMA ltops_audit TO {r};\n\
         GRANT SELECT, INSERT ON ltops_audit.events TO {r};\n\
         GRANT SELECT, INSERT ON ltops_audit.tenant_keys TO {r};\n\
         GRANT EXECUTE ON FUNCTION ltops_audit.destroy_tenant_key(text, uuid) TO {r};\n"
    )
}

pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Where a page of the log starts: after a seq going forward, before one going
/// backward (`i64::MAX` for the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFrom {
    After(i64),
    Before(i64),
}

pub struct PgStore {
    client: Client,
    target: String,
}

impl PgStore {
    pub fn new(client: Client, target: String) -> PgStore {
        PgStore { client, target }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    fn db_err(&self, e: tokio_postgres::Error) -> AuditError {
        pg_error(&self.target, e)
    }

    /// Fails with the `audit init` hint when the schema is missing.
    pub async fn check_ready(&self) -> Result<(), AuditError> {
        let row = self
            .client
            .query_one("SELECT to_regclass('ltops_audit.events') IS NOT NULL", &[])
            .await
            .map_err(|e| self.db_err(e))?;
        if row.get::<_, bool>(0) {
            Ok(())
        } else {
            Err(AuditError::NotInitialised {
                store: self.target.clone(),
            })
        }
    }

    /// Appends in a transaction of its own.
    pub async fn append(
        &mut self,
        draft: Draft,
        personal: Option<Personal>,
    ) -> Result<Event, AuditError> {
        let target = self.target.clone();
        let tx = self
            .client
            .transaction()
            .await
            .map_err(|e| pg_error(&target, e))?;
        let event = append_in(&tx, &target, draft, personal).await?;
        tx.commit().await.map_err(|e| pg_error(&target, e))?;
        Ok(event)
    }

    /// Whether the event with this id is in the log: after a COMMIT whose answer
    /// was lost, this tells whether a change recorded in the same transaction
    /// committed.
    pub async fn has_event(&self, id: Uuid) -> Result<bool, AuditError> {
        let row = self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM ltops_audit.events WHERE id = $1)",
                &[&id],
            )
            .await
            .map_err(|e| self.db_err(e))?;
        Ok(row.get(0))
    }

    pub async fn read_all(&self) -> Result<Vec<u8>, AuditError> {
        self.check_ready().await?;
        let rows = self
            .client
            .query("SELECT line FROM ltops_audit.events ORDER BY seq", &[])
            .await
            .map_err(|e| self.db_err(e))?;
        let mut out = Vec::with_capacity(rows.len() * 512);
        for r in rows {
            out.extend_from_slice(r.get::<_, &str>(0).as_bytes());
            out.push(b'\n');
        }
        Ok(out)
    }

    /// Up to `limit` lines in seq order after `after` (forward), or in reverse
    /// seq order before `before` (backward), with the seq of the last one. A
    /// page at a time over the primary key index — a keyset cursor — so that
    /// reading the log holds one page, not the table, and needs no transaction.
    pub async fn page(&self, from: PageFrom, limit: i64) -> Result<Vec<(i64, String)>, AuditError> {
        self.check_ready().await?;
        let rows = match from {
            PageFrom::After(seq) => {
                self.client
                    .query(
                        "SELECT seq, line FROM ltops_audit.events WHERE seq > $1 ORDER BY seq LIMIT $2",
                        &[&seq, &limit],
                    )
                    .await
            }
            PageFrom::Before(seq) => {
                self.client
                    .query(
                        "SELECT seq, line FROM ltops_audit.events WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
                        &[&seq, &limit],
                    )
                    .await
            }
        }
        .map_err(|e| self.db_err(e))?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub async fn key_states(&self) -> Result<HashMap<String, KeyState>, AuditError> {
        let rows = self
            .client
            .query(
                "SELECT tenant, key, to_char(destroyed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM ltops_audit.tenant_keys",
                &[],
            )
            .await
            .map_err(|e| self.db_err(e))?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let tenant: String = r.get(0);
                let key: Option<Vec<u8>> = r.get(1);
                let destroyed: Option<String> = r.get(2);
                let state = match (key.as_deref().and_then(TenantKey::from_bytes), destroyed) {
                    (Some(k), _) => KeyState::Active(k),
                    (None, Some(at)) => KeyState::Destroyed { at },
                    (None, None) => KeyState::Missing,
                };
                (tenant, state)
            })
            .collect())
    }

    /// One tenant's key state.
    pub async fn key_state(&self, tenant: &str) -> Result<KeyState, AuditError> {
        let row = self
            .client
            .query_opt(
                "SELECT key, to_char(destroyed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM ltops_audit.tenant_keys WHERE tenant = $1",
                &[&tenant],
            )
            .await
            .map_err(|e| self.db_err(e))?;
        Ok(match row {
            None => KeyState::Missing,
            Some(r) => {
                let key: Option<Vec<u8>> = r.get(0);
                match (key.as_deref().and_then(TenantKey::from_bytes), r.get(1)) {
                    (Some(k), _) => KeyState::Active(k),
                    (None, Some(at)) => KeyState::Destroyed { at },
                    (None, None) => KeyState::Missing,
                }
            }
        })
    }

    pub async fn destroy_key(&self, tenant: &str, by: Uuid) -> Result<bool, AuditError> {
        destroy_key_in(&self.client, &self.target, tenant, by).await
    }
}

pub async fn destroy_key_in<C: GenericClient>(
    client: &C,
    target: &str,
    tenant: &str,
    by: Uuid,
) -> Result<bool, AuditError> {
    let row = client
        .query_one(
            "SELECT ltops_audit.destroy_tenant_key($1, $2)",
            &[&tenant, &by],
        )
        .await
        .map_err(|e| pg_error(target, e))?;
    Ok(row.get::<_, Option<bool>>(0).unwrap_or(false))
}

fn pg_error(target: &str, e: tokio_postgres::Error) -> AuditError {
    let detail = crate::db::error_chain(&e);
    if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE)
        || e.code() == Some(&tokio_postgres::error::SqlState::INVALID_SCHEMA_NAME)
    {
        return AuditError::NotInitialised {
            store: target.to_owned(),
        };
    }
    AuditError::Unwritable {
        store: target.to_owned(),
        detail,
    }
}

/// Appends inside the caller's transaction (or plain client): the event commits
/// or rolls back with whatever else the transaction did.
pub async fn append_in<C: GenericClient>(
    client: &C,
    target: &str,
    mut draft: Draft,
    personal: Option<Personal>,
) -> Result<Event, AuditError> {
    let err = |e| pg_error(target, e);
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])
        .await
        .map_err(err)?;
    let last = client
        .query_opt(
            "SELECT seq, hash FROM ltops_audit.events ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await
        .map_err(err)?;
    let (seq, prev) = match last {
        Some(r) => (r.get::<_, i64>(0), r.get::<_, String>(1)),
        None => (0, GENESIS.to_owned()),
    };
    if let Some(p) = personal {
        let key = tenant_key_in(client, target, &p.tenant).await?;
        let sealed = seal::seal(&key, draft.id, &p.tenant, &p.data);
        if let Value::Object(m) = &mut draft.content {
            m.insert(
                "sealed".into(),
                serde_json::to_value(sealed).unwrap_or(Value::Null),
            );
        }
    }
    let next = u64::try_from(seq).unwrap_or(0) + 1;
    let event = draft.seal_into_chain(next, &prev);
    insert_row(client, &event, &event.to_line())
        .await
        .map_err(err)?;
    Ok(event)
}

/// The one INSERT of an event row, for appends and for carrying a chain into
/// a restored copy (which keeps the source's line byte for byte).
pub(crate) async fn insert_row<C: GenericClient>(
    client: &C,
    event: &Event,
    line: &str,
) -> Result<u64, tokio_postgres::Error> {
    let phase = match event.phase {
        super::event::Phase::Intent => "intent",
        super::event::Phase::Outcome => "outcome",
    };
    let at = chrono::DateTime::parse_from_rfc3339(&event.at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|_| chrono::Utc::now());
    client
        .execute(
            "INSERT INTO ltops_audit.events (seq, id, at, action, phase, tenant, actor_user, prev_hash, hash, line) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &i64::try_from(event.seq).unwrap_or(i64::MAX),
                &event.id,
                &at,
                &event.action,
                &phase,
                &event.target.tenant,
                &event.actor.user,
                &event.prev_hash,
                &event.hash,
                &line,
            ],
        )
        .await
}

async fn tenant_key_in<C: GenericClient>(
    client: &C,
    target: &str,
    tenant: &str,
) -> Result<TenantKey, AuditError> {
    let err = |e| pg_error(target, e);
    let fresh = TenantKey::generate();
    client
        .execute(
            "INSERT INTO ltops_audit.tenant_keys (tenant, key) VALUES ($1, $2) ON CONFLICT (tenant) DO NOTHING",
            &[&tenant, &fresh.0.as_slice()],
        )
        .await
        .map_err(err)?;
    let row = client
        .query_one(
            "SELECT key, to_char(destroyed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM ltops_audit.tenant_keys WHERE tenant = $1",
            &[&tenant],
        )
        .await
        .map_err(err)?;
    let key: Option<Vec<u8>> = row.get(0);
    match key.as_deref().and_then(TenantKey::from_bytes) {
        Some(k) => Ok(k),
        None => Err(AuditError::KeyDestroyed {
            tenant: tenant.to_owned(),
            at: row.get::<_, Option<String>>(1).unwrap_or_default(),
        }),
    }
}
