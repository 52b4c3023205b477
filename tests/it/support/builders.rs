//! Builders for `ltops` invocations, one entry point per command family, so that
//! a test reads like the scenario it checks:
//! `home.intervene("set").tenant(T3).table("leads").id(&lead).set("status", "lost").incident("INC-1").yes().json().run()`.
//! Global flags (`--yes`, `--format json`, `--profile`) are kept before the
//! subcommand, where an operator types them.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Output, Stdio};

use serde_json::Value;

use super::{Home, json_stdout};

/// `fn NAME(self, value: &str) -> Self` for each `--FLAG VALUE` a test sets by name.
macro_rules! value_flags {
    ($($name:ident => $flag:literal),* $(,)?) => {
        impl Ltops<'_> {
            $(
                #[doc = concat!("`", $flag, " VALUE`.")]
                pub fn $name(self, value: &str) -> Self {
                    self.flag($flag, value)
                }
            )*
        }
    };
}

value_flags! {
    // The reason every mutating command needs.
    incident => "--incident",
    instruction => "--instruction",
    note => "--note",
    // What is acted on.
    tenant => "--tenant",
    table => "--table",
    id => "--id",
    sql => "--sql",
    cluster => "--cluster",
    to => "--to",
    action => "--action",
    confirm => "--confirm",
    target => "--target",
    instance => "--instance",
    resource => "--resource",
    detail => "--detail",
    grant => "--grant",
    actor => "--actor",
    since => "--since",
    limit => "--limit",
    expect_head => "--expect-head",
    control => "--control",
    section => "--section",
    evidence => "--evidence",
    lang => "--lang",
}

/// One `ltops` run being put together; `run()` runs it and returns its output.
pub struct Ltops<'a> {
    home: &'a Home,
    global: Vec<String>,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Home {
    /// `ltops WORDS…` (e.g. `home.cmd(["tenant", "list"])`).
    pub fn cmd<'a, I, S>(&'a self, words: I) -> Ltops<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Ltops {
            home: self,
            global: Vec::new(),
            args: words.into_iter().map(Into::into).collect(),
            env: Vec::new(),
        }
    }

    /// `ltops intervene FORM` (`set`, `delete`, `sql`, `list`).
    pub fn intervene(&self, form: &str) -> Ltops<'_> {
        self.cmd(["intervene", form])
    }

    /// `ltops inspect` (a read; `.args(["list"])` for the listing).
    pub fn inspect(&self) -> Ltops<'_> {
        self.cmd(["inspect"])
    }

    /// `ltops tenant erase TENANT`.
    pub fn erase(&self, tenant: &str) -> Ltops<'_> {
        self.cmd(["tenant", "erase", tenant])
    }

    /// `ltops retention purge`.
    pub fn purge(&self) -> Ltops<'_> {
        self.cmd(["retention", "purge"])
    }

    /// `ltops restore VERB` (`plan`, `run`, `status`, `reapply-erasures`).
    pub fn restore(&self, verb: &str) -> Ltops<'_> {
        self.cmd(["restore", verb])
    }

    /// `ltops audit VERB` (`show`, `verify`, `record`, …).
    pub fn audit(&self, verb: &str) -> Ltops<'_> {
        self.cmd(["audit", verb])
    }

    /// `ltops tom VERB` (`check`, `attest`, `report`, `controls`).
    pub fn tom(&self, verb: &str) -> Ltops<'_> {
        self.cmd(["tom", verb])
    }

    /// The events `audit show --action ACTION` lists (JSON), asserting success.
    pub fn audit_events(&self, action: &str) -> Vec<Value> {
        let v = self.audit("show").action(action).json().ok_json();
        v["events"].as_array().cloned().unwrap_or_default()
    }
}

impl<'a> Ltops<'a> {
    fn flag(mut self, name: &str, value: impl Into<String>) -> Self {
        self.args.push(name.to_owned());
        self.args.push(value.into());
        self
    }

    /// Any further arguments, as typed.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn arg(self, a: impl AsRef<OsStr>) -> Self {
        let a = a.as_ref().to_string_lossy().into_owned();
        self.args([a])
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    // Global flags.
    pub fn yes(mut self) -> Self {
        self.global.push("--yes".into());
        self
    }
    pub fn json(mut self) -> Self {
        self.global.extend(["--format".into(), "json".into()]);
        self
    }
    pub fn profile(mut self, p: &str) -> Self {
        self.global.extend(["--profile".into(), p.to_owned()]);
        self
    }

    /// `--key COLUMN=VALUE`.
    pub fn key(self, column: &str, value: &str) -> Self {
        self.flag("--key", format!("{column}={value}"))
    }
    /// `--set COLUMN=VALUE`.
    pub fn set(self, column: &str, value: &str) -> Self {
        self.flag("--set", format!("{column}={value}"))
    }
    pub fn max_rows(self, n: u64) -> Self {
        self.flag("--max-rows", n.to_string())
    }
    pub fn dry_run(self) -> Self {
        self.args(["--dry-run"])
    }
    /// `FLAG PATH`, for the flags that take a file (`--out`, `--file`, `--certificate`, …).
    pub fn path(self, flag: &str, path: &Path) -> Self {
        self.arg(flag).arg(path)
    }
    /// `LTOPS_DB_PASSWORD` for this run only.
    pub fn db_password(self, password: &str) -> Self {
        self.env("LTOPS_DB_PASSWORD", password)
    }

    /// The command as assert_cmd runs it, for tests that assert on it directly;
    /// with the same timeout as `Home::ltops`.
    pub fn command(self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::from_std(self.std_command());
        c.timeout(std::time::Duration::from_secs(120));
        c
    }

    /// The same as a plain `std::process::Command`, for tests that spawn it.
    pub fn std_command(self) -> std::process::Command {
        let mut c = self.home.std_ltops();
        if let Some(pw) = self.home.db_password() {
            c.env("LTOPS_DB_PASSWORD", pw);
        }
        c.args(&self.global).args(&self.args);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs it and returns what it printed and how it exited.
    pub fn run(self) -> Output {
        self.command().output().expect("run ltops")
    }

    /// The command line as typed, for assertion messages.
    fn typed(&self) -> String {
        let words: Vec<&str> = self
            .global
            .iter()
            .chain(&self.args)
            .map(String::as_str)
            .collect();
        format!("ltops {}", words.join(" "))
    }

    /// Runs it, asserts exit `code` (with both streams when it differs), returns the output.
    pub fn code(self, code: i32) -> Output {
        let typed = self.typed();
        let out = self.run();
        assert_eq!(out.status.code(), Some(code), "{typed}\n{}", describe(&out));
        out
    }

    /// Runs it and asserts success.
    pub fn ok(self) -> Output {
        self.code(0)
    }

    /// Runs it, asserts success and returns its JSON report.
    pub fn ok_json(self) -> Value {
        json_stdout(&self.code(0))
    }

    /// Runs it, asserts exit `code` and that stderr says `needle`.
    pub fn fails(self, code: i32, needle: &str) -> Output {
        let typed = self.typed();
        let out = self.code(code);
        assert!(
            stderr(&out).contains(needle),
            "{typed}: {needle:?}\n{}",
            describe(&out)
        );
        out
    }

    /// Starts it in the background (stdout discarded, stderr kept) for a test
    /// that interrupts or races it.
    pub fn spawn(self) -> Child {
        self.std_command()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ltops")
    }
}

/// Asserts that stderr of a run says `needle`, showing both streams when not.
pub fn assert_stderr(out: &Output, needle: &str) {
    assert!(
        stderr(out).contains(needle),
        "{needle:?}: {}",
        describe(out)
    );
}

/// Asserts exit `code` and that stderr says `needle`, showing both streams when not.
pub fn assert_fails(out: &Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", describe(out));
    assert_stderr(out, needle);
}

/// Presses Ctrl-C: SIGINT to `child`; asserts it exits 130 and returns its output.
pub fn interrupt(child: Child) -> Output {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait for ltops");
    assert_eq!(out.status.code(), Some(130), "{}", describe(&out));
    out
}

/// A local port nothing listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

/// Exit code and both streams of a run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What a run printed on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
