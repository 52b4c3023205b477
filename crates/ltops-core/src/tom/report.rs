//! The result of a run as data (the JSON of `tom check` and of the annual report,
//! which next year's `--previous` reads), and the DPO's annual report rendered
//! as Markdown or HTML, in German (default) or English.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalog::Kind;
use super::engine::ControlResult;
use super::exceptions::AppliedException;
use super::{Status, attest};
use crate::audit::verify::Witness;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionInfo {
    pub number: u32,
    pub de: String,
    pub en: String,
}

/// One run of the controls: what `tom check --format json` prints and what
/// `tom report` writes beside the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub generated_at: String,
    /// The account of the signed-in profile.
    pub account: Option<String>,
    /// Every account the AWS checks reviewed (one unless `--accounts`).
    #[serde(default)]
    pub accounts: Vec<AccountInfo>,
    pub region: Option<String>,
    pub checked_by: Option<String>,
    pub catalog: String,
    pub audit_source: Option<String>,
    /// The audit log's head when the run read it: the witness of the report.
    pub audit_head: Option<Witness>,
    pub sections: Vec<SectionInfo>,
    pub controls: Vec<ControlResult>,
    pub totals: BTreeMap<Status, usize>,
}

impl RunReport {
    pub fn totals_of(controls: &[ControlResult]) -> BTreeMap<Status, usize> {
        let mut t = BTreeMap::new();
        for c in controls {
            *t.entry(c.status).or_insert(0) += 1;
        }
        t
    }

    /// Whether the answer is "no": any control FAILs, ERRORs, or lacks a valid attestation.
    pub fn has_findings(&self) -> bool {
        self.controls.iter().any(|c| c.status.is_finding())
    }
}

/// An account of the run, and why it could not be reviewed, if so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub(super) fn t<'a>(self, de: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

pub(super) fn status_label(lang: Lang, s: Status) -> String {
    match lang {
        Lang::De => format!("{} ({})", s.de(), s.as_str()),
        Lang::En => s.as_str().to_owned(),
    }
}

/// A control whose status changed between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: String,
    pub before: Option<Status>,
    pub after: Option<Status>,
}

pub fn diff(previous: &RunReport, current: &RunReport) -> Vec<Change> {
    let before: BTreeMap<&str, Status> = previous
        .controls
        .iter()
        .map(|c| (c.info.id.as_str(), c.status))
        .collect();
    let after: BTreeMap<&str, Status> = current
        .controls
        .iter()
        .map(|c| (c.info.id.as_str(), c.status))
        .collect();
    let mut ids: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    ids.sort_by_key(|a| natural(a));
    ids.dedup();
    ids.into_iter()
        .filter(|id| before.get(id) != after.get(id))
        .map(|id| Change {
            id: id.to_owned(),
            before: before.get(id).copied(),
            after: after.get(id).copied(),
        })
        .collect()
}

/// Sort key that puts TOM-2.10 after TOM-2.9.
fn natural(id: &str) -> Vec<(String, u64)> {
    id.split(['.', '-'])
        .map(|p| match p.parse::<u64>() {
            Ok(n) => (String::new(), n),
            Err(_) => (p.to_owned(), 0),
        })
        .collect()
}

// ---- a tiny document model with two renderers -------------------------------------

enum Block {
    H1(String),
    H2(String),
    H3(String),
    P(String),
    Quote(String),
    Table(Vec<String>, Vec<Vec<String>>),
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn to_markdown(doc: &[Block]) -> String {
    let mut out = String::new();
    for b in doc {
        match b {
            Block::H1(t) => out.push_str(&format!("# {t}\n\n")),
            Block::H2(t) => out.push_str(&format!("## {t}\n\n")),
            Block::H3(t) => out.push_str(&format!("### {t}\n\n")),
            Block::P(t) => out.push_str(&format!("{t}\n\n")),
            Block::Quote(t) => out.push_str(&format!("> {}\n\n", t.replace('\n', "\n> "))),
            Block::Table(h, rows) => {
                out.push_str(&format!(
                    "| {} |\n",
                    h.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                ));
                out.push_str(&format!("|{}\n", " --- |".repeat(h.len())));
                for r in rows {
                    out.push_str(&format!(
                        "| {} |\n",
                        r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                    ));
                }
                out.push('\n');
            }
        }
    }
    out
}

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Minimal inline markup of the Markdown we write: `code` and **bold**.
pub(super) fn inline_html(s: &str) -> String {
    let code = alternate(&esc(s), "`", "<code>", "</code>");
    alternate(&code, "**", "<strong>", "</strong>")
}

/// Replaces the markers `mark` in `s` by `open` and `close` in turn.
fn alternate(s: &str, mark: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for (i, part) in s.split(mark).enumerate() {
        if i > 0 {
            out.push_str(if inside { close } else { open });
            inside = !inside;
        }
        out.push_str(part);
    }
    out
}

/// The blocks as HTML elements (the page around them is `report_html::page`).
fn blocks_html(doc: &[Block]) -> String {
    let mut out = String::new();
    for b in doc {
        match b {
            Block::H1(t) => out.push_str(&format!("<h1>{}</h1>\n", inline_html(t))),
            Block::H2(t) => out.push_str(&format!("<h2>{}</h2>\n", inline_html(t))),
            Block::H3(t) => out.push_str(&format!("<h3>{}</h3>\n", inline_html(t))),
            Block::P(t) => out.push_str(&format!("<p>{}</p>\n", inline_html(t))),
            Block::Quote(t) => {
                out.push_str(&format!("<blockquote>{}</blockquote>\n", inline_html(t)))
            }
            Block::Table(h, rows) => {
                out.push_str("<table class=\"plain\">\n<tr>");
                for c in h {
                    out.push_str(&format!("<th>{}</th>", inline_html(c)));
                }
                out.push_str("</tr>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        out.push_str(&format!(
                            "<td>{}</td>",
                            inline_html(c).replace('\n', "<br>")
                        ));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

/// The annual report.
pub fn render(r: &RunReport, previous: Option<&RunReport>, lang: Lang, format: Format) -> String {
    let l = lang;
    let title = l
        .t(
            "Jährliche Überprüfung der technischen und organisatorischen Maßnahmen (Art. 32 DSGVO) – leadtributor.cloud",
            "Annual review of the technical and organisational measures (GDPR Art. 32) – leadtributor.cloud",
        )
        .to_owned();
    let head = head_text(r.audit_head.as_ref());
    let mut top = vec![Block::H1(title.clone())];
    front_matter(&mut top, r, l, &head);
    result(&mut top, r, l);
    let mut change = Vec::new();
    changes(&mut change, r, previous, l);
    let mut tail = Vec::new();
    attestations(&mut tail, r, l);
    accepted_exceptions(&mut tail, r, l);
    witness(&mut tail, r, l, &head);
    let _ = attest::ACTION;
    match format {
        Format::Markdown => {
            let mut doc = top;
            section_summary(&mut doc, r, l);
            account_summary(&mut doc, r, l);
            doc.extend(change);
            doc.push(Block::H2(
                l.t("Kontrollen im Einzelnen", "Controls in detail").into(),
            ));
            for (s, cs) in sections_with_controls(r) {
                doc.push(Block::H2(section_title(l, s)));
                for c in cs {
                    control_detail(&mut doc, c, l);
                }
            }
            doc.extend(tail);
            to_markdown(&doc)
        }
        Format::Html => {
            let body = [
                blocks_html(&top),
                super::report_html::summaries(r, l),
                blocks_html(&change),
                super::report_html::details(r, l),
                blocks_html(&tail),
            ]
            .concat();
            super::report_html::page(l, &title, &body)
        }
    }
}

pub(super) fn dash() -> String {
    "-".to_owned()
}

/// The audit log head as the report quotes it, `-` when there was none.
pub(super) fn head_text(head: Option<&Witness>) -> String {
    head.map(|h| format!("`{}:{}`", h.seq, h.hash))
        .unwrap_or_else(dash)
}

/// The sections that have controls in this run, each with its controls.
pub(super) fn sections_with_controls(
    r: &RunReport,
) -> impl Iterator<Item = (&SectionInfo, Vec<&ControlResult>)> {
    r.sections.iter().filter_map(|s| {
        let cs: Vec<&ControlResult> = r
            .controls
            .iter()
            .filter(|c| c.info.section == s.number)
            .collect();
        (!cs.is_empty()).then_some((s, cs))
    })
}

/// A table, or the sentence `none` when it would have no rows.
fn table_or(doc: &mut Vec<Block>, header: Vec<String>, rows: Vec<Vec<String>>, none: &str) {
    if rows.is_empty() {
        doc.push(Block::P(none.into()));
    } else {
        doc.push(Block::Table(header, rows));
    }
}

fn front_matter(doc: &mut Vec<Block>, r: &RunReport, l: Lang, head: &str) {
    doc.push(Block::P(
        l.t(
            "Prüfung gemäß TOM §9 (Wirksamkeitskontrolle): jede Maßnahme der TOM ist einer Kontrolle zugeordnet; technische Maßnahmen wurden gegen das AWS-Konto, die Datenbank und das Audit-Log geprüft, organisatorische Maßnahmen von einer namentlich genannten Person mit Nachweis und Ablaufdatum bestätigt.",
            "Review under TOM §9 (effectiveness review): every measure of the TOM maps to a control; technical measures were checked against the AWS account, the database and the audit log, organisational measures attested by a named person with evidence and expiry.",
        )
        .to_owned(),
    ));
    doc.push(Block::Table(
        vec![l.t("Angabe", "Item").into(), l.t("Wert", "Value").into()],
        vec![
            vec![
                l.t("Erstellt am (UTC)", "Generated at (UTC)").into(),
                r.generated_at.clone(),
            ],
            vec![
                l.t("Geprüft von", "Checked by").into(),
                r.checked_by.clone().unwrap_or_else(dash),
            ],
            vec![
                l.t("AWS-Konto", "AWS account").into(),
                r.account.clone().unwrap_or_else(dash),
            ],
            vec![
                l.t("Region", "Region").into(),
                r.region.clone().unwrap_or_else(dash),
            ],
            vec![
                l.t("Kontrollkatalog", "Control catalog").into(),
                format!("`{}`", r.catalog),
            ],
            vec![
                l.t("Audit-Log", "Audit log").into(),
                r.audit_source.clone().unwrap_or_else(dash),
            ],
            vec![
                l.t("Audit-Log-Kopf (Zeuge)", "Audit log head (witness)")
                    .into(),
                head.to_owned(),
            ],
        ],
    ));
}

fn result(doc: &mut Vec<Block>, r: &RunReport, l: Lang) {
    doc.push(Block::H2(l.t("Ergebnis", "Result").into()));
    let totals: Vec<String> = r
        .totals
        .iter()
        .map(|(s, n)| format!("{n} × {}", status_label(l, *s)))
        .collect();
    doc.push(Block::P(format!(
        "**{}** {} {}: {}.",
        if r.has_findings() {
            l.t("Es bestehen Feststellungen.", "There are findings.")
        } else {
            l.t(
                "Alle Maßnahmen sind wirksam umgesetzt.",
                "All measures are in place.",
            )
        },
        r.controls.len(),
        l.t("Kontrollen", "controls"),
        totals.join(", ")
    )));
}

fn section_summary(doc: &mut Vec<Block>, r: &RunReport, l: Lang) {
    doc.push(Block::H2(
        l.t("Zusammenfassung je Abschnitt", "Summary per section")
            .into(),
    ));
    let cols = [
        Status::Pass,
        Status::Valid,
        Status::Accepted,
        Status::Fail,
        Status::Error,
        Status::Missing,
        Status::Expired,
        Status::NotApplicable,
    ];
    let mut header = vec![
        l.t("Abschnitt", "Section").to_owned(),
        l.t("Kontrollen", "Controls").to_owned(),
    ];
    header.extend(cols.iter().map(|s| status_label(l, *s)));
    let rows = sections_with_controls(r)
        .map(|(s, cs)| {
            let mut row = vec![section_title(l, s), cs.len().to_string()];
            for st in cols {
                row.push(cs.iter().filter(|c| c.status == st).count().to_string());
            }
            row
        })
        .collect();
    doc.push(Block::Table(header, rows));
}

/// Per account: the findings of the AWS checks by status, and why an account
/// could not be reviewed.
fn account_summary(doc: &mut Vec<Block>, r: &RunReport, l: Lang) {
    if r.accounts.is_empty() {
        return;
    }
    doc.push(Block::H2(
        l.t("Zusammenfassung je AWS-Konto", "Summary per AWS account")
            .into(),
    ));
    let cols = [
        Status::Pass,
        Status::Accepted,
        Status::Fail,
        Status::Error,
        Status::NotApplicable,
    ];
    let mut header = vec![
        l.t("Konto", "Account").to_owned(),
        l.t("Ergebnis", "Result").to_owned(),
    ];
    header.extend(cols.iter().map(|s| status_label(l, *s)));
    header.push(l.t("Hinweis", "Note").to_owned());
    let rows = r
        .accounts
        .iter()
        .map(|a| {
            let statuses: Vec<Status> = r
                .controls
                .iter()
                .flat_map(|c| &c.findings)
                .filter(|f| f.account.as_deref() == Some(a.id.as_str()))
                .map(|f| f.status)
                .collect();
            let mut row = vec![
                match &a.name {
                    Some(n) => format!("{} ({n})", a.id),
                    None => a.id.clone(),
                },
                status_label(l, Status::fold(statuses.iter().copied())),
            ];
            for st in cols {
                row.push(statuses.iter().filter(|s| **s == st).count().to_string());
            }
            row.push(a.error.clone().unwrap_or_default());
            row
        })
        .collect();
    doc.push(Block::Table(header, rows));
}

fn changes(doc: &mut Vec<Block>, r: &RunReport, previous: Option<&RunReport>, l: Lang) {
    doc.push(Block::H2(
        l.t(
            "Änderungen seit dem letzten Bericht",
            "Changes since the previous report",
        )
        .into(),
    ));
    match previous {
        None => doc.push(Block::P(
            l.t(
                "Kein Vorbericht angegeben (`--previous`): keine Vergleichsbasis.",
                "No previous report given (`--previous`): nothing to compare with.",
            )
            .into(),
        )),
        Some(p) => {
            let changes = diff(p, r);
            doc.push(Block::P(format!(
                "{} {} ({}: {}).",
                l.t(
                    "Verglichen mit dem Bericht vom",
                    "Compared with the report of"
                ),
                p.generated_at,
                l.t("Audit-Log-Kopf damals", "audit log head then"),
                head_text(p.audit_head.as_ref())
            )));
            if changes.is_empty() {
                doc.push(Block::P(
                    l.t(
                        "Keine Kontrolle hat ihr Ergebnis geändert.",
                        "No control changed its result.",
                    )
                    .into(),
                ));
            } else {
                doc.push(Block::Table(
                    vec![
                        l.t("Kontrolle", "Control").into(),
                        l.t("vorher", "before").into(),
                        l.t("jetzt", "now").into(),
                    ],
                    changes
                        .iter()
                        .map(|c| {
                            vec![
                                c.id.clone(),
                                c.before
                                    .map(|s| status_label(l, s))
                                    .unwrap_or_else(|| l.t("(neu)", "(new)").into()),
                                c.after
                                    .map(|s| status_label(l, s))
                                    .unwrap_or_else(|| l.t("(entfallen)", "(removed)").into()),
                            ]
                        })
                        .collect(),
                ));
            }
        }
    }
}

fn control_detail(doc: &mut Vec<Block>, c: &ControlResult, l: Lang) {
    doc.push(Block::H3(format!(
        "{} – {}",
        c.info.id,
        status_label(l, c.status)
    )));
    match l {
        Lang::De => doc.push(Block::Quote(c.info.de.clone())),
        Lang::En => {
            doc.push(Block::Quote(c.info.en.clone()));
            doc.push(Block::P(format!("TOM (de): „{}“", c.info.de)));
        }
    }
    doc.push(Block::P(format!(
        "{}: {} · {}: {}{}",
        l.t("Art", "Kind"),
        match (c.info.kind, l) {
            (Kind::Automated, Lang::De) => "automatisch geprüft",
            (Kind::Attestation, Lang::De) => "Bestätigung",
            (k, Lang::En) => k.as_str(),
        },
        l.t("Schwere", "Severity"),
        c.info.severity.as_str(),
        if c.checks.is_empty() {
            String::new()
        } else {
            format!(
                " · {}: {}",
                l.t("Prüfungen", "Checks"),
                c.checks
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    )));
    doc.push(Block::Table(
        vec![
            l.t("Ressource", "Resource").into(),
            l.t("Ergebnis", "Result").into(),
            l.t("Nachweis", "Evidence").into(),
        ],
        c.findings
            .iter()
            .map(|f| {
                let mut ev = f.evidence_in(l == Lang::De).to_owned();
                if let Some(x) = &f.exception {
                    ev.push_str(&exception_note(l, x));
                }
                let resource = match &f.account {
                    Some(a) => format!("`{}` ({} {a})", f.resource, l.t("Konto", "account")),
                    None => format!("`{}`", f.resource),
                };
                vec![resource, status_label(l, f.status), ev]
            })
            .collect(),
    ));
}

fn attestations(doc: &mut Vec<Block>, r: &RunReport, l: Lang) {
    doc.push(Block::H2(
        l.t(
            "Bestätigungen organisatorischer Maßnahmen",
            "Attestations of organisational measures",
        )
        .into(),
    ));
    let att_rows: Vec<Vec<String>> = r
        .controls
        .iter()
        .filter(|c| c.info.kind == Kind::Attestation)
        .map(|c| {
            let f = c.findings.first();
            vec![
                c.info.id.clone(),
                status_label(l, c.status),
                f.map(|f| f.evidence_in(l == Lang::De).to_owned())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    table_or(
        doc,
        vec![
            l.t("Kontrolle", "Control").into(),
            l.t("Status", "Status").into(),
            l.t(
                "bestätigt von, am, gültig bis, Nachweis",
                "attested by, on, valid until, evidence",
            )
            .into(),
        ],
        att_rows,
        l.t(
            "Keine im Umfang dieses Berichts.",
            "None in the scope of this report.",
        ),
    );
}

fn accepted_exceptions(doc: &mut Vec<Block>, r: &RunReport, l: Lang) {
    doc.push(Block::H2(
        l.t("Akzeptierte Ausnahmen", "Accepted exceptions").into(),
    ));
    let ex_rows: Vec<Vec<String>> = r
        .controls
        .iter()
        .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
        .filter_map(|(c, f)| {
            f.exception.as_ref().map(|x| {
                vec![
                    c.info.id.clone(),
                    format!("`{}`", f.resource),
                    x.reason.clone(),
                    x.approver.clone(),
                    x.expires.to_string(),
                    if x.active {
                        status_label(l, Status::Accepted)
                    } else {
                        l.t(
                            "abgelaufen – Feststellung bleibt",
                            "expired – finding stands",
                        )
                        .into()
                    },
                ]
            })
        })
        .collect();
    table_or(
        doc,
        vec![
            l.t("Kontrolle", "Control").into(),
            l.t("Ressource", "Resource").into(),
            l.t("Grund", "Reason").into(),
            l.t("Genehmigt von", "Approved by").into(),
            l.t("gültig bis", "valid until").into(),
            l.t("Status", "Status").into(),
        ],
        ex_rows,
        l.t("Keine.", "None."),
    );
}

fn witness(doc: &mut Vec<Block>, r: &RunReport, l: Lang, head: &str) {
    doc.push(Block::H2(
        l.t(
            "Zeuge: Kopf des Audit-Logs",
            "Witness: head of the audit log",
        )
        .into(),
    ));
    doc.push(Block::P(format!(
        "{} {head}. {} `ltops audit verify --expect-head {}`.",
        l.t("Das Audit-Log stand bei Erstellung dieses Berichts bei", "When this report was made, the audit log's head was"),
        l.t("Jede spätere Prüfung kann damit feststellen, ob das Log seitdem verändert oder gekürzt wurde:", "Any later check can tell from it whether the log was altered or truncated since:"),
        r.audit_head.as_ref().map(|h| format!("{}:{}", h.seq, h.hash)).unwrap_or_else(|| "SEQ:HASH".into())
    )));
}

pub(super) fn section_title(l: Lang, s: &SectionInfo) -> String {
    let name = match l {
        Lang::De => &s.de,
        Lang::En => &s.en,
    };
    if s.number == 0 {
        name.clone()
    } else {
        format!("§{} {name}", s.number)
    }
}

pub(super) fn exception_note(l: Lang, x: &AppliedException) -> String {
    format!(
        " — {} {} ({} {}, {} {})",
        if x.active {
            l.t("Ausnahme:", "Exception:")
        } else {
            l.t("ABGELAUFENE Ausnahme:", "EXPIRED exception:")
        },
        x.reason,
        l.t("genehmigt von", "approved by"),
        x.approver,
        l.t("bis", "until"),
        x.expires
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tom::Finding;
    use crate::tom::catalog::{ControlInfo, Severity};

    fn control(id: &str, status: Status) -> ControlResult {
        ControlResult {
            info: ControlInfo {
                id: id.into(),
                section: 1,
                group: None,
                de: "Besucher werden stets beaufsichtigt".into(),
                en: "Visitors are always supervised.".into(),
                kind: Kind::Automated,
                severity: Severity::High,
            },
            checks: vec!["rds.not_public".into()],
            status,
            findings: vec![Finding::new(
                "rds.not_public",
                "arn:x|y",
                status,
                crate::tom::Text::same("seen <b>"),
            )],
        }
    }

    fn run(controls: Vec<ControlResult>) -> RunReport {
        RunReport {
            generated_at: "2026-11-27T10:00:00Z".into(),
            account: Some("1".into()),
            accounts: Vec::new(),
            region: Some("eu-central-1".into()),
            checked_by: Some("dora@leadtributor.cloud".into()),
            catalog: "policies/tom".into(),
            audit_source: None,
            audit_head: Some(Witness {
                seq: 7,
                hash: crate::audit::head::ChainHash([0xab; 32]),
            }),
            sections: vec![SectionInfo {
                number: 1,
                de: "Zutrittskontrolle".into(),
                en: "Physical access control".into(),
            }],
            totals: RunReport::totals_of(&controls),
            controls,
        }
    }

    #[test]
    fn german_markdown_and_escaped_html() {
        let r = run(vec![
            control("TOM-1.1", Status::Fail),
            control("TOM-1.2", Status::Pass),
        ]);
        let md = render(&r, None, Lang::De, Format::Markdown);
        assert!(md.contains("## §1 Zutrittskontrolle"), "{md}");
        assert!(md.contains("NICHT erfüllt (FAIL)"));
        assert!(md.contains("arn:x\\|y"), "pipes escaped in tables");
        assert!(md.contains(&format!("7:{}", "ab".repeat(32))));
        let html = render(&r, None, Lang::En, Format::Html);
        assert!(
            html.contains("<html lang=\"en\">") && html.contains("seen &lt;b&gt;"),
            "{html}"
        );
    }

    #[test]
    fn diff_names_changed_new_and_removed() {
        let before = run(vec![
            control("TOM-1.1", Status::Fail),
            control("TOM-1.3", Status::Pass),
        ]);
        let after = run(vec![
            control("TOM-1.1", Status::Pass),
            control("TOM-1.2", Status::Pass),
        ]);
        let d = diff(&before, &after);
        assert_eq!(
            d.iter()
                .map(|c| (c.id.as_str(), c.before, c.after))
                .collect::<Vec<_>>(),
            [
                ("TOM-1.1", Some(Status::Fail), Some(Status::Pass)),
                ("TOM-1.2", None, Some(Status::Pass)),
                ("TOM-1.3", Some(Status::Pass), None),
            ]
        );
        let md = render(&after, Some(&before), Lang::De, Format::Markdown);
        assert!(md.contains("(entfallen)") && md.contains("(neu)"), "{md}");
    }
}
