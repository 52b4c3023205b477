//! `--format json` is a contract: every command that reports writes one JSON
//! document with `schema_version` and `kind` to stdout, and nothing else there.

use crate::support::{json_stdout, lab, repo_root, succeeded};

#[test]
fn every_command_writes_parseable_json() {
    let lab = lab();
    let db = lab.create_database("json_sweep");
    let home = lab.home();
    home.configure(&format!(
        "{}policies: {}\n",
        lab.database_yaml(&db, "postgres"),
        repo_root().join("policies").display()
    ));
    let t = "00000000-0000-4000-8000-000000000005";
    let evidence = home.path().join("evidence.jsonl");
    let evidence = evidence.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["login", "--no-browser"],
        vec!["whoami"],
        vec!["config", "show"],
        vec!["config", "check"],
        vec!["--yes", "audit", "init"],
        vec![
            "--yes",
            "audit",
            "record",
            "--incident",
            "INC-1",
            "--action",
            "manual.x",
        ],
        vec!["audit", "show"],
        vec!["audit", "verify"],
        vec!["audit", "head"],
        vec!["audit", "export", "--out", evidence],
        vec!["tenant", "list"],
        vec!["tenant", "inventory", t],
        vec![
            "tenant",
            "erase",
            t,
            "--instruction",
            "TICKET-1",
            "--dry-run",
        ],
        vec![
            "--yes",
            "tenant",
            "erase",
            t,
            "--instruction",
            "TICKET-1",
            "--confirm",
            t,
        ],
        vec!["tenant", "ledger"],
        vec!["retention", "purge", "--instruction", "RET-1", "--dry-run"],
        vec![
            "restore",
            "plan",
            "--cluster",
            "platform-prod",
            "--to",
            "latest",
        ],
        vec![
            "restore",
            "run",
            "--cluster",
            "platform-prod",
            "--to",
            "latest",
            "--incident",
            "INC-1",
            "--dry-run",
        ],
        vec!["restore", "status"],
        vec!["approvals", "list", "--all"],
        vec!["inspect", "list"],
        vec!["logout"],
    ];
    for args in commands {
        let out = home
            .ltops()
            .env("LTOPS_DB_PASSWORD", lab.superuser_password())
            .args(["--format", "json"])
            .args(&args)
            .output()
            .unwrap();
        let out = succeeded(&format!("{args:?}"), out);
        let v = json_stdout(&out);
        assert_eq!(v["schema_version"], 1, "{args:?}");
        assert!(v["kind"].is_string(), "{args:?}: {v}");
    }
}
