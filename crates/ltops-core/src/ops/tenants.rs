//! The admin's read-only views of tenants: the list (database and erasure
//! ledger side by side) and one tenant's inventory, the plan an erasure would
//! carry out.

use anyhow::bail;
use serde::Serialize;

use crate::audit::Store;
use crate::datamap::{DataMap, quote_ident};
use crate::erasure::ledger::{self, Entry};
use crate::erasure::plan::{self, Plan};
use crate::settings::Settings;
use crate::tenant_id::TenantId;

#[derive(Debug, Clone, Serialize)]
pub struct TenantRow {
    pub tenant: String,
    pub status: Option<String>,
    pub name: Option<String>,
    pub erased_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TenantList {
    pub tenants: Vec<TenantRow>,
    /// False when row-level security hides tenants from this database role.
    pub role_sees_all: bool,
}

/// Every tenant in the database, and every erased one from the ledger; a
/// tenant in both has data again (a restored database) and must be erased again.
pub async fn list(settings: &Settings, map: &DataMap) -> anyhow::Result<TenantList> {
    let sdk = crate::aws::config::load(&settings.aws).await;
    let client = crate::db::connect(settings.config.database.as_ref(), &settings.env, &sdk).await?;
    let sees_all: bool = client
        .query_one(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await?
        .get(0);
    let text_or_null = |c: Option<&String>| {
        c.map(|c| format!("{}::text", quote_ident(c)))
            .unwrap_or_else(|| "NULL::text".into())
    };
    let status = text_or_null(map.tenant.status_column.as_ref());
    let name = text_or_null(map.tenant.personal.first());
    let rows = client
        .query(
            &format!(
                "SELECT {}::text, {status}, {name} FROM {} ORDER BY 1",
                quote_ident(&map.tenant.key),
                map.qualified(&map.tenant.table)
            ),
            &[],
        )
        .await?;
    let store = Store::open(settings, &sdk).await?;
    let entries = ledger::entries(&store.read_all().await?);
    let mut tenants: Vec<TenantRow> = rows
        .into_iter()
        .map(|r| TenantRow {
            tenant: r.get(0),
            status: r.get(1),
            name: r.get(2),
            erased_at: None,
        })
        .collect();
    // A tenant row an erasure kept minimised for retained rows is no sign of
    // data present again.
    let minimised = map.keeps_tenant_row().map(|m| m.status_value.as_str());
    for e in &entries {
        match tenants.iter_mut().find(|t| t.tenant == e.tenant) {
            Some(t) if minimised.is_some() && t.status.as_deref() == minimised => {
                t.erased_at = Some(format!("{} (row kept minimised)", e.erased_at))
            }
            Some(t) => t.erased_at = Some(format!("{} (data present again!)", e.erased_at)),
            None => tenants.push(TenantRow {
                tenant: e.tenant.clone(),
                status: Some("erased".into()),
                name: None,
                erased_at: Some(e.erased_at.clone()),
            }),
        }
    }
    Ok(TenantList {
        tenants,
        role_sees_all: sees_all,
    })
}

/// A tenant's inventory: the plan, or why none can be made.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Inventory {
    Planned {
        #[serde(flatten)]
        plan: Box<Plan>,
        erased: Option<Entry>,
    },
    /// The live schema and the data map disagree: nothing was counted, so there
    /// is no plan to show, only the reasons.
    Refused {
        tenant: String,
        refused: Vec<String>,
    },
}

/// What an erasure of `tenant` would delete and retain. When the live schema
/// and the data map disagree the inventory is refused with the reasons and
/// nothing more is looked up.
pub async fn inventory(
    settings: &Settings,
    map: &DataMap,
    tenant: &TenantId,
) -> anyhow::Result<Inventory> {
    let sdk = crate::aws::config::load(&settings.aws).await;
    let mut client =
        crate::db::connect(settings.config.database.as_ref(), &settings.env, &sdk).await?;
    let plan = plan::plan(&mut client, map, tenant.as_str(), settings.today).await?;
    if !plan.schema.is_clean() {
        return Ok(Inventory::Refused {
            tenant: tenant.to_string(),
            refused: plan.schema.describe(),
        });
    }
    let store = Store::open(settings, &sdk).await?;
    let entries = ledger::entries(&store.read_all().await?);
    let erased = ledger::find(&entries, tenant.as_str()).cloned();
    if plan.nothing_left() && !plan.tenant_exists && erased.is_none() {
        bail!(
            "no tenant {tenant} in the database or the erasure ledger — check the id with `ltops tenant list`"
        );
    }
    Ok(Inventory::Planned {
        plan: Box::new(plan),
        erased,
    })
}
