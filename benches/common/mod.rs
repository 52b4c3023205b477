//! What several benchmarks need: a moto server of their own, a synthetic
//! audit-log generator, and sizes from the environment. Included with
//! `#[path = "common/mod.rs"] mod common;` (benches are crates of their own).

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ltops::audit::event::{Draft, Outcome, Phase, Reason, ReasonKind, Target};
use ltops::aws::identity::Actor;
use serde_json::json;
use uuid::Uuid;

/// A moto server on a free port, killed when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    /// Starts `moto_server` from `.venv/bin` and waits until it listens.
    pub fn start(venv: &Path, envs: &[(&str, &str)]) -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("benchmark set-up")
            .local_addr()
            .expect("benchmark set-up")
            .port();
        let child = Command::new(venv.join("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server from .venv (scripts/setup-lab creates it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A size from the environment, or the default.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Drafts of a synthetic log: intent, outcome, intent, … of `tenant.erase`
/// with a small content, as ltops writes them.
pub struct Synthetic {
    actor: Actor,
    reason: Reason,
    start: DateTime<Utc>,
    intent: Uuid,
}

impl Synthetic {
    pub fn new() -> Synthetic {
        Synthetic {
            actor: Actor {
                arn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_LtopsAdmin_0123456789abcdef/alice@leadtributor.cloud".into(),
                user: "alice@leadtributor.cloud".into(),
                account: "123456789012".into(),
                permission_set: "LtopsAdmin".into(),
            },
            reason: Reason::new(ReasonKind::Incident, "INC-2026-113", None).expect("reason"),
            start: DateTime::from_timestamp(1_790_000_000, 0).expect("time"),
            intent: Uuid::nil(),
        }
    }

    /// The draft of event `seq` (odd: an intent, even: its outcome).
    pub fn draft(&mut self, seq: u64) -> Draft {
        let is_intent = seq % 2 == 1;
        let id = Uuid::now_v7();
        let draft = Draft {
            id,
            at: self.start + chrono::Duration::milliseconds(seq as i64),
            actor: self.actor.clone(),
            action: "tenant.erase".into(),
            phase: if is_intent {
                Phase::Intent
            } else {
                Phase::Outcome
            },
            result: (!is_intent).then_some(Outcome::Ok),
            intent: (!is_intent).then_some(self.intent),
            target: Target {
                tenant: Some(format!("00000000-0000-4000-8000-{:012}", seq % 1000)),
                resource: None,
            },
            reason: Some(self.reason.clone()),
            content: json!({ "tables": { "leads": seq % 977, "lead_events": seq % 3011 } }),
        };
        if is_intent {
            self.intent = id;
        }
        draft
    }
}

/// The `ltops` binary of this build, under GNU time when it is installed, so
/// that [`maxrss_kb`] can read the child's peak RSS from its stderr.
pub fn timed_ltops() -> Command {
    let ltops = env!("CARGO_BIN_EXE_ltops");
    if Path::new("/usr/bin/time").exists() {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "ltops-bench-maxrss-kb=%M", ltops]);
        c
    } else {
        Command::new(ltops)
    }
}

/// The peak RSS in KiB that GNU time wrote for a [`timed_ltops`] run.
pub fn maxrss_kb(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("ltops-bench-maxrss-kb="))
        .and_then(|kb| kb.trim().parse().ok())
}
