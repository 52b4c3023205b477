//! The erasure ledger: which tenants were erased, when, on whose instruction, with
//! which counts — read from the audit log (outcome events of `tenant.erase`), so it
//! is tamper-evident and survives a restore of the platform database to an
//! earlier time. It holds no personal data.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::audit::content::{self, EraseOutcome};
use crate::audit::event::{Event, Outcome, Phase};

pub const ERASE_ACTION: &str = "tenant.erase";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub tenant: String,
    pub erased_at: String,
    pub instruction: Option<String>,
    pub erased_by: String,
    pub counts: BTreeMap<String, Value>,
    pub seq: u64,
    pub hash: String,
}

/// All completed erasures, oldest first.
pub fn entries(log: &[u8]) -> Vec<Entry> {
    let events: Vec<Event> = log
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice::<Event>(l).ok())
        .collect();
    from_events(&events)
}

/// The same, from events already parsed.
pub fn from_events(events: &[Event]) -> Vec<Entry> {
    events
        .iter()
        .filter(|e| {
            e.action == ERASE_ACTION && e.phase == Phase::Outcome && e.result == Some(Outcome::Ok)
        })
        .filter_map(|e| {
            let tenant = e.target.tenant.clone()?;
            // An outcome whose counts cannot be read is still an erasure: it
            // stays in the ledger (and is re-applied after a restore), without counts.
            let counts = content::parse::<EraseOutcome>(e)
                .map(|c| {
                    c.tables
                        .into_iter()
                        .map(|(table, n)| (table, content::to_value(&n)))
                        .collect()
                })
                .unwrap_or_default();
            Some(Entry {
                tenant,
                erased_at: e.at.clone(),
                instruction: e.reason.as_ref().map(|r| r.reference.clone()),
                erased_by: e.actor.user.clone(),
                counts,
                seq: e.seq,
                hash: e.hash.clone(),
            })
        })
        .collect()
}

/// The latest erasure of `tenant`, if any.
pub fn find<'a>(entries: &'a [Entry], tenant: &str) -> Option<&'a Entry> {
    entries.iter().rev().find(|e| e.tenant == tenant)
}
