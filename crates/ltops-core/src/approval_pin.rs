//! The four-eyes policy pinned in the audit log, so that it is not each
//! operator's to drop: `approvals.<command>` in ltops.yaml is read on the
//! operator's own machine, and deleting it there would let one identity run
//! alone. An admin pins the policy (`ltops approvals pin`) into the shared
//! log; every gated run applies the stricter of the pinned and the local
//! policy, and a pin can only make it stricter — never looser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audit::event::{Event, Phase};
use crate::audit::{AuditError, Store, stream};
use crate::settings::{ApprovalPolicy, MutatingCommand};

pub const POLICY_ACTION: &str = "approval.policy";

/// The content of a pin: the policy of every gated command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinIntent {
    pub policies: BTreeMap<MutatingCommand, ApprovalPolicy>,
}

/// The stricter of two policies for `command`: more approvals, fewer
/// approvers (their common ones, else the stricter policy's), the shorter
/// validity, break-glass only where both allow it, `only_sql`/`above_rows`
/// exemptions only where both grant them.
pub fn stricter(
    command: MutatingCommand,
    a: Option<&ApprovalPolicy>,
    b: Option<&ApprovalPolicy>,
) -> Option<ApprovalPolicy> {
    let (a, b) = match (a, b) {
        (None, None) => return None,
        (Some(x), None) | (None, Some(x)) => return Some(x.clone()),
        (Some(a), Some(b)) => (a, b),
    };
    let (strong, weak) = if a.required >= b.required {
        (a, b)
    } else {
        (b, a)
    };
    let common: Vec<String> = strong
        .approvers
        .iter()
        .filter(|p| weak.required == 0 || weak.approvers.contains(p))
        .cloned()
        .collect();
    Some(ApprovalPolicy {
        required: strong.required,
        approvers: if common.is_empty() {
            strong.approvers.clone()
        } else {
            common
        },
        valid_for: if a.validity() <= b.validity() {
            a.valid_for.clone()
        } else {
            b.valid_for.clone()
        },
        break_glass: if a.break_glass == b.break_glass {
            a.break_glass
        } else {
            Some(a.break_glass_allowed(command) && b.break_glass_allowed(command))
        },
        only_sql: a.only_sql && b.only_sql,
        above_rows: match (a.above_rows, b.above_rows) {
            (Some(x), Some(y)) => Some(x.min(y)),
            _ => None,
        },
    })
}

/// Whether `proposed` would loosen `pinned` for any command: what the
/// stricter of the two says differs from `proposed`.
pub fn loosens(
    pinned: &BTreeMap<MutatingCommand, ApprovalPolicy>,
    proposed: &BTreeMap<MutatingCommand, ApprovalPolicy>,
) -> Vec<MutatingCommand> {
    pinned
        .iter()
        .filter(|(c, p)| {
            let new = proposed.get(c);
            stricter(**c, Some(p), new).as_ref() != new
        })
        .map(|(c, _)| *c)
        .collect()
}

/// Every pin in the log folded into one policy per command (each pin can
/// only tighten; folding with `stricter` keeps that even for a pin written
/// around ltops). The log is read as a stream; only lines naming the action
/// are parsed.
pub async fn pinned(
    store: &Store,
) -> Result<BTreeMap<MutatingCommand, ApprovalPolicy>, AuditError> {
    let mut out: BTreeMap<MutatingCommand, ApprovalPolicy> = BTreeMap::new();
    let needle = format!("\"{POLICY_ACTION}\"");
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut reader = store.reader().await?;
    while let Some(block) = reader.next_block().await? {
        for line in stream::lines(block) {
            if finder.find(line).is_none() {
                continue;
            }
            let Ok(e) = serde_json::from_slice::<Event>(line) else {
                continue;
            };
            if e.action != POLICY_ACTION || e.phase != Phase::Intent {
                continue;
            }
            let Ok(pin) = serde_json::from_value::<PinIntent>(e.content) else {
                continue;
            };
            for (command, policy) in pin.policies {
                let merged = stricter(command, out.get(&command), Some(&policy));
                if let Some(m) = merged {
                    out.insert(command, m);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(required: u32, approvers: &[&str]) -> ApprovalPolicy {
        ApprovalPolicy {
            required,
            approvers: approvers.iter().map(|s| (*s).to_owned()).collect(),
            valid_for: "24h".into(),
            break_glass: None,
            only_sql: false,
            above_rows: None,
        }
    }

    #[test]
    fn the_stricter_policy_wins_in_every_part() {
        let c = MutatingCommand::Intervene;
        let mut a = policy(1, &["LtopsAdmin", "LtopsOnCall"]);
        a.only_sql = true;
        a.above_rows = Some(10);
        let mut b = policy(2, &["LtopsOnCall", "LtopsDPO"]);
        b.valid_for = "2h".into();
        b.break_glass = Some(false);
        b.above_rows = Some(5);
        let s = stricter(c, Some(&a), Some(&b)).unwrap();
        assert_eq!(s.required, 2);
        assert_eq!(s.approvers, vec!["LtopsOnCall".to_owned()]);
        assert_eq!(s.valid_for, "2h");
        assert_eq!(s.break_glass, Some(false));
        assert!(!s.only_sql, "an exemption holds only where both grant it");
        assert_eq!(s.above_rows, Some(5), "the lower threshold asks more often");
        let mut every = b.clone();
        every.above_rows = None;
        assert_eq!(
            stricter(c, Some(&a), Some(&every)).unwrap().above_rows,
            None,
            "every size beats any threshold"
        );
        assert_eq!(stricter(c, None, Some(&b)), Some(b.clone()));
        assert_eq!(stricter(c, None, None), None);
    }

    #[test]
    fn a_pin_may_tighten_but_not_loosen() {
        let c = MutatingCommand::TenantErase;
        let pinned = BTreeMap::from([(c, policy(1, &["LtopsAdmin"]))]);
        assert_eq!(loosens(&pinned, &BTreeMap::new()), vec![c]);
        assert_eq!(
            loosens(&pinned, &BTreeMap::from([(c, policy(0, &[]))])),
            vec![c]
        );
        assert!(loosens(&pinned, &BTreeMap::from([(c, policy(2, &["LtopsAdmin"]))])).is_empty());
        assert!(loosens(&pinned, &pinned).is_empty());
    }
}
