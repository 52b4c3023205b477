//! The one error for a problem in a YAML file (config, data map, TOM catalog,
//! exceptions): `file:line:column: message`, so an editor jumps to the place.
//! serde_yaml keeps no spans after parsing, so problems found later are located
//! again in the text by their key path.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based place in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A problem in `file`, at `at` when the place is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Located {
    pub file: PathBuf,
    pub at: Option<Position>,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(p) => write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                p.line,
                p.column,
                self.message
            ),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl Located {
    pub fn at(file: &Path, line: usize, column: usize, message: String) -> Located {
        Located {
            file: file.to_path_buf(),
            at: Some(Position { line, column }),
            message,
        }
    }

    /// A problem of the file as a whole (or of a place that cannot be found again).
    pub fn whole(file: &Path, message: String) -> Located {
        Located {
            file: file.to_path_buf(),
            at: None,
            message,
        }
    }

    /// A problem with the key at `keys` (a path of nested block-mapping keys),
    /// found after parsing.
    pub fn key(file: &Path, text: &str, keys: &[&str], message: String) -> Located {
        Located {
            file: file.to_path_buf(),
            at: locate_key(text, keys),
            message,
        }
    }

    /// At the start of `line` (1-based) when known.
    pub fn line(file: &Path, line: Option<usize>, message: String) -> Located {
        Located {
            file: file.to_path_buf(),
            at: line.map(|line| Position { line, column: 1 }),
            message,
        }
    }

    /// A syntax or type error of serde_yaml, with its place in front of the message
    /// instead of serde_yaml's " at line L column C" behind it.
    pub fn yaml(file: &Path, e: &serde_yaml::Error) -> Located {
        let mut message = e.to_string();
        let at = e.location().map(|loc| {
            if let Some(idx) = message.rfind(" at line ") {
                message.truncate(idx);
            }
            Position {
                line: loc.line(),
                column: loc.column(),
            }
        });
        Located {
            file: file.to_path_buf(),
            at,
            message,
        }
    }
}

/// The place of the key at `keys` (a path of nested block-mapping keys).
pub fn locate_key(text: &str, keys: &[&str]) -> Option<Position> {
    let mut depth = 0;
    let mut parent_indent: Option<usize> = None;
    for (no, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if let Some(p) = parent_indent
            && indent <= p
        {
            // Left the block of the key matched so far without finding the child.
            return None;
        }
        let key = trimmed.split(':').next().unwrap_or("").trim();
        let key = key.trim_matches(|c| c == '"' || c == '\'');
        if key == keys[depth]
            && trimmed[key.len()..]
                .trim_start_matches(['"', '\''])
                .starts_with(':')
        {
            if depth + 1 == keys.len() {
                return Some(Position {
                    line: no + 1,
                    column: indent + 1,
                });
            }
            depth += 1;
            parent_indent = Some(indent);
        }
    }
    None
}

/// The value of `key: value` on a YAML line (also as a list item `- key: value`).
pub fn value_of<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let l = line.trim_start();
    let l = l.strip_prefix("- ").unwrap_or(l).trim_start();
    let rest = l.strip_prefix(key)?.trim_start().strip_prefix(':')?;
    let v = rest.split(" #").next().unwrap_or("").trim();
    Some(v.trim_matches(|c| c == '"' || c == '\''))
}

/// 1-based number of the first line at or after line `from` (1-based; 0 = start)
/// that satisfies `pred`: for entries of a list, found by one of their values.
pub fn find_line(text: &str, from: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| pred(l))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_error_is_file_line_column_message() {
        let e = serde_yaml::from_str::<std::collections::BTreeMap<String, u32>>("a: 1\nb: x\n")
            .expect_err("x is not a number");
        let l = Located::yaml(Path::new("f.yaml"), &e);
        let s = l.to_string();
        assert!(s.starts_with("f.yaml:2:4: "), "{s}");
        assert!(!s.contains(" at line "), "{s}");
    }

    #[test]
    fn locate_key_follows_nesting() {
        let text = "aws:\n  region: x\n# c\ndatabase:\n  rds_iam:\n    cluster: a\n";
        assert_eq!(
            locate_key(text, &["database", "rds_iam", "cluster"]),
            Some(Position { line: 6, column: 5 })
        );
        assert_eq!(locate_key(text, &["aws", "cluster"]), None);
    }

    #[test]
    fn a_key_path_is_found_again() {
        let text = "a:\n  b: 1\nc:\n  # note\n  b: 2\n";
        assert_eq!(
            locate_key(text, &["c", "b"]),
            Some(Position { line: 5, column: 3 })
        );
        assert_eq!(locate_key(text, &["c", "x"]), None);
        let l = Located::key(Path::new("f.yaml"), text, &["c", "b"], "bad".into());
        assert_eq!(l.to_string(), "f.yaml:5:3: bad");
        let l = Located::key(Path::new("f.yaml"), text, &["nope"], "bad".into());
        assert_eq!(l.to_string(), "f.yaml: bad");
    }
}
