//! The annual report as one self-contained HTML page a DPO takes in at a
//! glance: coloured status bars (inline SVG) per section and per account,
//! findings that need attention listed one by one, passing ones folded into a
//! count (`<details>`), and a print stylesheet so that "print to PDF" files well.
//! No JavaScript, nothing loaded from the network.

use super::engine::ControlResult;
use super::report::{
    Lang, RunReport, esc, exception_note, inline_html, section_title, sections_with_controls,
    status_label,
};
use super::{Finding, Status};

const STYLE: &str = "
body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4;color:#1b1b1b}
table{border-collapse:collapse;margin:0.5em 0 1.2em;width:100%}
td,th{border:1px solid #bbb;padding:0.25em 0.5em;vertical-align:top;text-align:left}
th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}
blockquote{border-left:4px solid #999;margin:0.5em 0;padding-left:1em;color:#333}
code{font-size:90%;word-break:break-all}
.st{display:inline-block;padding:0 0.45em;border-radius:0.3em;font-weight:600;font-size:90%;white-space:nowrap;color:#fff}
.s-pass{background:#2e7d32}.s-valid{background:#00796b}.s-accepted{background:#546e7a}
.s-fail{background:#c62828}.s-error{background:#6a1b9a}.s-missing,.s-expired{background:#e65100}
.s-not_applicable{background:#9e9e9e}
tr.r-fail td{background:#fdecea}tr.r-error td{background:#f3e5f5}tr.r-missing td,tr.r-expired td{background:#fff3e0}
.legend span{margin-right:1em;white-space:nowrap}
.sw{display:inline-block;width:0.8em;height:0.8em;margin-right:0.3em;vertical-align:middle}
svg.bar{vertical-align:middle}
details{margin:0.3em 0 1em}
summary{cursor:pointer;color:#2e7d32;font-weight:600}
.control{border-top:1px solid #ddd;padding-top:0.4em;margin-top:1em}
.meta{color:#555;font-size:90%}
@media print{
  body{max-width:none;margin:0;font-size:10pt}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  h2{break-before:auto;break-after:avoid}
  .control,tr{break-inside:avoid}
  details>summary{list-style:none}
  a{color:inherit;text-decoration:none}
  @page{size:A4;margin:15mm 12mm}
}
";

/// The categories of the at-a-glance bars, in their order and colours.
const BAR: [(Status, &str); 7] = [
    (Status::Pass, "#2e7d32"),
    (Status::Valid, "#00796b"),
    (Status::Accepted, "#546e7a"),
    (Status::Fail, "#c62828"),
    (Status::Error, "#6a1b9a"),
    (Status::Missing, "#e65100"),
    (Status::Expired, "#ef6c00"),
];

/// The whole page around `body`.
pub(super) fn page(l: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        match l {
            Lang::De => "de",
            Lang::En => "en",
        },
        esc(title)
    )
}

fn class(s: Status) -> String {
    format!("s-{}", s.as_str().to_ascii_lowercase())
}

/// A coloured status label.
fn badge(l: Lang, s: Status) -> String {
    format!(
        "<span class=\"st {}\">{}</span>",
        class(s),
        esc(&status_label(l, s))
    )
}

/// Counts per status, in the bar's order (NOT_APPLICABLE is counted, not drawn).
fn counts(statuses: impl IntoIterator<Item = Status>) -> Vec<(Status, usize)> {
    let all: Vec<Status> = statuses.into_iter().collect();
    BAR.iter()
        .map(|(s, _)| *s)
        .chain([Status::NotApplicable])
        .map(|s| (s, all.iter().filter(|x| **x == s).count()))
        .collect()
}

/// An inline SVG bar: one coloured segment per status, as wide as its share.
fn bar(l: Lang, counts: &[(Status, usize)]) -> String {
    const W: f64 = 240.0;
    let drawn: usize = counts
        .iter()
        .filter(|(s, _)| *s != Status::NotApplicable)
        .map(|(_, n)| n)
        .sum();
    let label: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", status_label(l, *s)))
        .collect();
    let mut out = format!(
        "<svg class=\"bar\" width=\"{W}\" height=\"14\" viewBox=\"0 0 {W} 14\" role=\"img\" aria-label=\"{}\"><rect width=\"{W}\" height=\"14\" fill=\"#e0e0e0\"/>",
        esc(&label.join(", "))
    );
    let mut x = 0.0;
    for (s, colour) in BAR {
        let n = counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
        if n == 0 || drawn == 0 {
            continue;
        }
        let w = W * n as f64 / drawn as f64;
        out.push_str(&format!(
            "<rect x=\"{x:.1}\" width=\"{w:.1}\" height=\"14\" fill=\"{colour}\"><title>{}</title></rect>",
            esc(&format!("{n} {}", status_label(l, s)))
        ));
        x += w;
    }
    out.push_str("</svg>");
    out
}

fn legend(l: Lang) -> String {
    let mut out = String::from("<p class=\"legend\">");
    for (s, colour) in BAR {
        out.push_str(&format!(
            "<span><span class=\"sw\" style=\"background:{colour}\"></span>{}</span>",
            esc(&status_label(l, s))
        ));
    }
    out.push_str("</p>\n");
    out
}

/// A summary row: name, bar, the counts.
fn summary_row(l: Lang, name: &str, counts: &[(Status, usize)], note: &str) -> String {
    let mut row = format!(
        "<tr><td>{}</td><td>{}</td>",
        inline_html(name),
        bar(l, counts)
    );
    for (_, n) in counts {
        row.push_str(&format!("<td class=\"n\">{n}</td>"));
    }
    row.push_str(&format!("<td>{}</td></tr>\n", esc(note)));
    row
}

fn summary_head(l: Lang, first: &str) -> String {
    let mut h = format!(
        "<table class=\"summary\">\n<tr><th>{}</th><th>{}</th>",
        esc(first),
        esc(l.t("Überblick", "At a glance"))
    );
    for (s, _) in BAR.iter().copied().chain([(Status::NotApplicable, "")]) {
        h.push_str(&format!("<th>{}</th>", badge(l, s)));
    }
    h.push_str(&format!("<th>{}</th></tr>\n", esc(l.t("Hinweis", "Note"))));
    h
}

/// Per section (controls by status) and per account (findings by status).
pub(super) fn summaries(r: &RunReport, l: Lang) -> String {
    let mut out = format!(
        "<h2>{}</h2>\n",
        esc(l.t("Zusammenfassung je Abschnitt", "Summary per section"))
    );
    out.push_str(&legend(l));
    out.push_str(&summary_head(l, l.t("Abschnitt", "Section")));
    for (s, cs) in sections_with_controls(r) {
        let c = counts(cs.iter().map(|c| c.status));
        out.push_str(&summary_row(
            l,
            &section_title(l, s),
            &c,
            &format!("{} {}", cs.len(), l.t("Kontrollen", "controls")),
        ));
    }
    let all = counts(r.controls.iter().map(|c| c.status));
    out.push_str(&summary_row(
        l,
        &format!("**{}**", l.t("Gesamt", "Total")),
        &all,
        &format!("{} {}", r.controls.len(), l.t("Kontrollen", "controls")),
    ));
    out.push_str("</table>\n");
    if r.accounts.is_empty() {
        return out;
    }
    out.push_str(&format!(
        "<h2>{}</h2>\n<p>{}</p>\n",
        esc(l.t("Zusammenfassung je AWS-Konto", "Summary per AWS account")),
        esc(l.t(
            "Ergebnisse der AWS-Prüfungen je Ressource.",
            "Results of the AWS checks, per resource."
        ))
    ));
    out.push_str(&summary_head(l, l.t("Konto", "Account")));
    for a in &r.accounts {
        let statuses = r
            .controls
            .iter()
            .flat_map(|c| &c.findings)
            .filter(|f| f.account.as_deref() == Some(a.id.as_str()))
            .map(|f| f.status);
        let name = match &a.name {
            Some(n) => format!("`{}` ({n})", a.id),
            None => format!("`{}`", a.id),
        };
        out.push_str(&summary_row(
            l,
            &name,
            &counts(statuses),
            a.error.as_deref().unwrap_or(""),
        ));
    }
    out.push_str("</table>\n");
    out
}

/// Whether a finding needs a person's attention (listed one by one).
fn needs_attention(f: &Finding) -> bool {
    f.status.is_finding() || f.status == Status::Accepted
}

fn finding_row(l: Lang, f: &Finding) -> String {
    let mut ev = f.evidence_in(l == Lang::De).to_owned();
    if let Some(x) = &f.exception {
        ev.push_str(&exception_note(l, x));
    }
    format!(
        "<tr class=\"r-{}\"><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
        f.status.as_str().to_ascii_lowercase(),
        esc(&f.resource),
        f.account.as_deref().map(esc).unwrap_or_default(),
        esc(&f.check),
        badge(l, f.status),
        esc(&ev)
    )
}

fn findings_table(l: Lang, rows: &[&Finding]) -> String {
    let mut out = format!(
        "<table class=\"findings\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        esc(l.t("Ressource", "Resource")),
        esc(l.t("Konto", "Account")),
        esc(l.t("Quelle (Prüfung)", "Source (check)")),
        esc(l.t("Ergebnis", "Result")),
        esc(l.t("Nachweis", "Evidence"))
    );
    for f in rows {
        out.push_str(&finding_row(l, f));
    }
    out.push_str("</table>\n");
    out
}

fn control_html(l: Lang, c: &ControlResult) -> String {
    let mut out = format!(
        "<div class=\"control\" id=\"{}\">\n<h3>{} {}</h3>\n<blockquote>{}</blockquote>\n",
        esc(&c.info.id),
        esc(&c.info.id),
        badge(l, c.status),
        esc(match l {
            Lang::De => &c.info.de,
            Lang::En => &c.info.en,
        })
    );
    let kind = match (c.info.kind, l) {
        (super::catalog::Kind::Automated, Lang::De) => "automatisch geprüft",
        (super::catalog::Kind::Attestation, Lang::De) => "Bestätigung",
        (k, Lang::En) => k.as_str(),
    };
    out.push_str(&format!(
        "<p class=\"meta\">{}: {} · {}: {}{}</p>\n",
        esc(l.t("Art", "Kind")),
        esc(kind),
        esc(l.t("Schwere", "Severity")),
        esc(c.info.severity.as_str()),
        if c.checks.is_empty() {
            String::new()
        } else {
            format!(
                " · {}: {}",
                esc(l.t("Prüfungen", "Checks")),
                c.checks
                    .iter()
                    .map(|n| format!("<code>{}</code>", esc(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    let (attention, fine): (Vec<&Finding>, Vec<&Finding>) =
        c.findings.iter().partition(|f| needs_attention(f));
    if !attention.is_empty() {
        out.push_str(&findings_table(l, &attention));
    }
    if !fine.is_empty() {
        let c = counts(fine.iter().map(|f| f.status));
        let what: Vec<String> = c
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} × {}", status_label(l, *s)))
            .collect();
        out.push_str(&format!(
            "<details><summary>{} ({})</summary>\n{}</details>\n",
            esc(&what.join(", ")),
            esc(l.t("aufklappen für die Liste", "expand for the list")),
            findings_table(l, &fine)
        ));
    }
    out.push_str("</div>\n");
    out
}

/// Every control, by section: what needs attention first and one by one.
pub(super) fn details(r: &RunReport, l: Lang) -> String {
    let mut out = format!(
        "<h2>{}</h2>\n",
        esc(l.t("Kontrollen im Einzelnen", "Controls in detail"))
    );
    for (s, cs) in sections_with_controls(r) {
        out.push_str(&format!(
            "<section id=\"s{}\">\n<h2>{}</h2>\n",
            s.number,
            esc(&section_title(l, s))
        ));
        for c in cs {
            out.push_str(&control_html(l, c));
        }
        out.push_str("</section>\n");
    }
    out
}
