//! Coverage of TOM.de.md by the catalog: every bullet (nested ones too) must have
//! a control whose German text is the bullet verbatim; the preamble has no bullets,
//! so its controls quote sentences of it, which must be found verbatim there.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::catalog::Catalog;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bullet {
    pub section: u32,
    pub line: usize,
    pub depth: usize,
    pub text: String,
    /// The controls that carry it (empty: not covered).
    pub controls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionCoverage {
    pub number: u32,
    pub title: String,
    pub bullets: Vec<Bullet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub source: String,
    pub sections: Vec<SectionCoverage>,
    /// Controls whose German text is not in TOM.de.md verbatim (id, section, text).
    pub not_verbatim: Vec<(String, u32, String)>,
    /// Sections of the TOM without any control file.
    pub sections_without_file: Vec<u32>,
}

impl Coverage {
    pub fn uncovered(&self) -> impl Iterator<Item = &Bullet> {
        self.sections
            .iter()
            .flat_map(|s| s.bullets.iter())
            .filter(|b| b.controls.is_empty())
    }

    pub fn is_complete(&self) -> bool {
        self.uncovered().next().is_none()
            && self.not_verbatim.is_empty()
            && self.sections_without_file.is_empty()
    }

    pub fn bullets(&self) -> usize {
        self.sections.iter().map(|s| s.bullets.len()).sum()
    }
}

fn section_heading(line: &str) -> Option<(u32, String)> {
    let t = line.trim_start();
    let rest = t.strip_prefix("## ").or_else(|| t.strip_prefix("### "))?;
    let (num, title) = rest.split_once(". ")?;
    Some((num.trim().parse().ok()?, title.trim().to_owned()))
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses TOM.de.md into its sections and bullets; text before `## 1.` is the
/// preamble (section 0), returned as its prose.
pub fn parse(md: &str) -> (Vec<SectionCoverage>, String) {
    let mut sections = vec![SectionCoverage {
        number: 0,
        title: "Präambel".into(),
        bullets: vec![],
    }];
    let mut preamble = String::new();
    for (i, line) in md.lines().enumerate() {
        if let Some((n, title)) = section_heading(line) {
            sections.push(SectionCoverage {
                number: n,
                title,
                bullets: vec![],
            });
            continue;
        }
        let current = sections.len() - 1;
        let indent = line.len() - line.trim_start().len();
        if let Some(text) = line.trim_start().strip_prefix("- ") {
            let number = sections[current].number;
            sections[current].bullets.push(Bullet {
                section: number,
                line: i + 1,
                depth: indent / 2,
                text: text.trim().to_owned(),
                controls: vec![],
            });
        } else if current == 0 {
            preamble.push_str(line);
            preamble.push(' ');
        }
    }
    (sections, normalise(&preamble))
}

pub fn coverage(source: &str, md: &str, catalog: &Catalog) -> Coverage {
    let (mut sections, preamble) = parse(md);
    let mut not_verbatim = Vec::new();
    for c in catalog.controls() {
        let sec = sections.iter_mut().find(|s| s.number == c.info.section);
        let de = normalise(&c.info.de);
        let placed = match sec {
            None => false,
            Some(s) => {
                let free = s
                    .bullets
                    .iter_mut()
                    .find(|b| normalise(&b.text) == de && b.controls.is_empty());
                match free {
                    Some(b) => {
                        b.controls.push(c.info.id.clone());
                        true
                    }
                    None => c.info.section == 0 && !de.is_empty() && preamble.contains(&de),
                }
            }
        };
        if !placed {
            not_verbatim.push((c.info.id.clone(), c.info.section, c.info.de.clone()));
        }
    }
    let sections_without_file = sections
        .iter()
        .map(|s| s.number)
        .filter(|n| catalog.section(*n).is_none())
        .collect();
    Coverage {
        source: source.to_owned(),
        sections,
        not_verbatim,
        sections_without_file,
    }
}

/// Where TOM.de.md is: `$LTOPS_TOM_MD` if given, else `shared/TOM.de.md` or
/// `TOM.de.md` in `start` or any folder above it.
pub fn find(env_override: Option<&str>, start: &Path) -> Result<PathBuf, String> {
    if let Some(p) = env_override {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("LTOPS_TOM_MD={} does not exist", p.display()))
        };
    }
    for dir in start.ancestors() {
        for candidate in [dir.join("shared/TOM.de.md"), dir.join("TOM.de.md")] {
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!(
        "TOM.de.md not found in {} or any folder above it (as shared/TOM.de.md or TOM.de.md): pass --tom FILE or set LTOPS_TOM_MD",
        start.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// The TOM is the text of record: every bullet of it must have a control.
    #[test]
    fn every_bullet_of_the_tom_has_a_control() {
        let env = std::env::var("LTOPS_TOM_MD").ok();
        let path = find(env.as_deref(), &repo()).unwrap_or_else(|e| panic!("{e}"));
        let md = std::fs::read_to_string(&path).unwrap();
        let catalog = Catalog::load(&repo().join("policies/tom")).unwrap_or_else(|e| panic!("{e}"));
        let cov = coverage(&path.display().to_string(), &md, &catalog);
        let missing: Vec<String> = cov
            .uncovered()
            .map(|b| {
                format!(
                    "{}:{} (section {}): {}",
                    path.display(),
                    b.line,
                    b.section,
                    b.text
                )
            })
            .collect();
        assert!(
            missing.is_empty(),
            "bullets without a control:\n{}",
            missing.join("\n")
        );
        assert!(
            cov.not_verbatim.is_empty(),
            "controls not verbatim in the TOM: {:?}",
            cov.not_verbatim
        );
        assert!(
            cov.sections_without_file.is_empty(),
            "{:?}",
            cov.sections_without_file
        );
        assert!(cov.bullets() >= 50, "parsed {} bullets", cov.bullets());
        assert_eq!(cov.sections.len(), 10);
    }

    #[test]
    fn a_missing_control_is_reported() {
        let md = "Intro sentence here.\n## 1. Eins\n- a\n- b\n  - b1\n### 2. Zwei\n- c\n";
        let files = [(
            PathBuf::from("t/01.yaml"),
            "section: 1\ntitle: {de: Eins, en: One}\ncontrols:\n  - {id: T-1, de: a, en: a, kind: attestation, severity: low}\n  - {id: T-2, de: b1, en: b1, kind: attestation, severity: low}\n  - {id: T-3, de: x, en: x, kind: attestation, severity: low}\n".to_owned(),
        )];
        let cat = Catalog::parse(Path::new("t"), &files).unwrap();
        let cov = coverage("t", md, &cat);
        let un: Vec<&str> = cov.uncovered().map(|b| b.text.as_str()).collect();
        assert_eq!(un, ["b", "c"]);
        assert_eq!(cov.not_verbatim.len(), 1);
        assert_eq!(cov.sections_without_file, [0, 2]);
        assert_eq!(cov.sections[1].bullets[2].depth, 1);
    }
}
