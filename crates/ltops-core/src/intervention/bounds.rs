//! Limits a statement must meet before it is parsed, and the lexical
//! normalisation the parser needs to see what PostgreSQL will see.
//!
//! The parser (sqlparser) builds and walks the syntax tree recursively: a chain
//! of 100,000 `||` terms is a tree 100,000 levels deep, and walking or dropping
//! it overflows the stack. So size, nesting depth and the number of operators
//! are checked on the token stream (which is built without recursion) first,
//! and the refusal says which limit was hit.
//!
//! `U&'…'` strings and `U&"…"` identifiers are rewritten into plain `'…'` and
//! `"…"` before parsing: sqlparser reads `U&"x"` as `U & "x"` and renders
//! `U&'…'` strings back without re-escaping their quotes, so the SQL that runs
//! would differ from the SQL that was checked.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Location, Token, Tokenizer};

use super::Refusal;

/// The largest statement accepted, in bytes.
pub const MAX_SQL_BYTES: usize = 256 * 1024;
/// The deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 64;
/// The most operators (`||`, `+`, `AND`, `=`, …) in one statement: each one is
/// a level of the expression tree in the worst case.
pub const MAX_OPERATORS: usize = 1_000;

/// Checks the limits and returns the statement with unicode escapes resolved.
pub fn check(text: &str) -> Result<String, Refusal> {
    if text.len() > MAX_SQL_BYTES {
        return Err(format!(
            "the statement is {} bytes, more than the limit of {} KiB: an intervention is one reviewed statement — put bulk data through the platform",
            text.len(),
            MAX_SQL_BYTES / 1024
        )
        .into());
    }
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .map_err(|e| Refusal::Unparsable(e.to_string()))?;
    let (mut depth, mut max_depth, mut operators) = (0usize, 0usize, 0usize);
    for t in &tokens {
        match &t.token {
            Token::LParen | Token::LBracket => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Word(w)
                if w.quote_style.is_none()
                    && ["and", "or", "not"].contains(&w.value.to_ascii_lowercase().as_str()) =>
            {
                operators += 1;
            }
            Token::Word(_)
            | Token::Number(..)
            | Token::Whitespace(_)
            | Token::Comma
            | Token::Period
            | Token::SemiColon
            | Token::EOF => {}
            t if is_literal(t) => {}
            _ => operators += 1,
        }
    }
    if max_depth > MAX_DEPTH {
        return Err(format!(
            "the statement nests parentheses {max_depth} deep, more than the limit of {MAX_DEPTH}"
        )
        .into());
    }
    if operators > MAX_OPERATORS {
        return Err(format!(
            "the statement has {operators} operators, more than the limit of {MAX_OPERATORS}: a chain that long is not a reviewed correction (for many values use IN (…))"
        )
        .into());
    }
    unescape(text, &tokens)
}

fn is_literal(t: &Token) -> bool {
    matches!(
        t,
        Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
    )
}

/// Rewrites `U&'…'` and `U&"…"` into plain quoting, by the tokens' positions.
fn unescape(text: &str, tokens: &[sqlparser::tokenizer::TokenWithSpan]) -> Result<String, Refusal> {
    let offsets = LineIndex::new(text);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let significant = |i: usize| {
        tokens[i + 1..]
            .iter()
            .find(|t| !matches!(t.token, Token::Whitespace(_)))
    };
    for (i, t) in tokens.iter().enumerate() {
        let (start, end, replacement) = match &t.token {
            Token::UnicodeStringLiteral(s) => (
                t.span.start,
                t.span.end,
                format!("'{}'", s.replace('\'', "''")),
            ),
            // `U` `&` `"…"` written without space: PostgreSQL's unicode identifier.
            Token::Word(w)
                if w.quote_style.is_none()
                    && w.value.eq_ignore_ascii_case("u")
                    && tokens.get(i + 1).map(|n| &n.token) == Some(&Token::Ampersand)
                    && tokens.get(i + 2).is_some_and(|n| {
                        matches!(&n.token, Token::Word(q) if q.quote_style == Some('"'))
                            && n.span.start == tokens[i + 1].span.end
                    })
                    && tokens[i + 1].span.start == t.span.end =>
            {
                let Token::Word(q) = &tokens[i + 2].token else {
                    continue;
                };
                let name = decode_ident(&q.value)?;
                (
                    t.span.start,
                    tokens[i + 2].span.end,
                    format!("\"{}\"", name.replace('"', "\"\"")),
                )
            }
            _ => continue,
        };
        // The last token of the escape, after which a UESCAPE clause would follow.
        let last = if matches!(t.token, Token::Word(_)) {
            i + 2
        } else {
            i
        };
        if let Some(Token::Word(w)) = significant(last).map(|n| &n.token)
            && w.value.eq_ignore_ascii_case("uescape")
        {
            return Err(
                "UESCAPE is not accepted: write unicode escapes with the default `\\`".into(),
            );
        }
        edits.push((offsets.byte(start)?, offsets.byte(end)?, replacement));
    }
    let mut out = text.to_owned();
    for (start, end, rep) in edits.into_iter().rev() {
        out.replace_range(start..end, &rep);
    }
    Ok(out)
}

/// `\XXXX`, `\+XXXXXX` and `\\` as PostgreSQL reads them in `U&"…"`.
fn decode_ident(raw: &str) -> Result<String, Refusal> {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let n = match chars.peek() {
            Some('\\') => {
                chars.next();
                out.push('\\');
                continue;
            }
            Some('+') => {
                chars.next();
                6
            }
            _ => 4,
        };
        let hex: String = chars.by_ref().take(n).collect();
        let ch = u32::from_str_radix(&hex, 16)
            .ok()
            .filter(|_| hex.len() == n)
            .and_then(char::from_u32)
            .ok_or_else(|| Refusal::from(format!("invalid unicode escape `\\{hex}` in U&\"…\"")))?;
        out.push(ch);
    }
    Ok(out)
}

/// Maps the tokenizer's (line, column) positions (1-based, columns in
/// characters) to byte offsets.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    fn byte(&self, at: Location) -> Result<usize, Refusal> {
        let bad = || Refusal::from("cannot locate a token of the statement");
        let line = usize::try_from(at.line).map_err(|_| bad())?;
        let col = usize::try_from(at.column).map_err(|_| bad())?;
        let start = *self
            .starts
            .get(line.checked_sub(1).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        let rest = &self.text[start..];
        Ok(start
            + rest
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(rest.len(), |(i, _)| i))
    }
}

/// A value as the preview shows it: at most `max` characters, longer ones cut
/// with their full length said. Linear in the kept part only.
pub fn truncate_cell(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_owned(),
        Some((cut, _)) => format!("{}… ({} characters)", &s[..cut], s.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_depth_and_operators_are_bounded() {
        let long = format!("UPDATE leads SET notes = '{}'", "a".repeat(MAX_SQL_BYTES));
        assert!(check(&long).unwrap_err().to_string().contains("KiB"));
        let chain = format!("UPDATE leads SET notes = {}'a'", "'a' || ".repeat(5_000));
        assert!(check(&chain).unwrap_err().to_string().contains("operators"));
        let deep = format!(
            "UPDATE leads SET notes = {}'a'{}",
            "(".repeat(100),
            ")".repeat(100)
        );
        assert!(check(&deep).unwrap_err().to_string().contains("deep"));
        let fine = "UPDATE leads SET notes = 'a' || 'b' WHERE id IN ('x', 'y') AND status = 'new'";
        assert_eq!(check(fine).unwrap(), fine);
    }

    #[test]
    fn unicode_escapes_are_resolved_before_parsing() {
        assert_eq!(
            check(r#"UPDATE leads SET notes = U&"\0065mail""#).unwrap(),
            r#"UPDATE leads SET notes = "email""#
        );
        assert_eq!(
            check(r#"UPDATE leads SET notes = u&"a\+00005F""b""#).unwrap(),
            r#"UPDATE leads SET notes = "a_""b""#
        );
        // The quote inside stays inside the literal.
        assert_eq!(
            check("UPDATE leads SET notes = U&'x'', notes = ''y' WHERE true").unwrap(),
            "UPDATE leads SET notes = 'x'', notes = ''y' WHERE true"
        );
        assert_eq!(
            check("UPDATE leads SET notes = U&'\\0041'").unwrap(),
            "UPDATE leads SET notes = 'A'"
        );
        // With a space it is an operator, as PostgreSQL reads it.
        assert_eq!(check(r#"SELECT u & "x""#).unwrap(), r#"SELECT u & "x""#);
        assert!(check(r#"SELECT U&"!0041" UESCAPE '!'"#).is_err());
    }

    #[test]
    fn cells_are_cut_with_their_length() {
        assert_eq!(truncate_cell("abc", 5), "abc");
        assert_eq!(truncate_cell("äbcdef", 3), "äbc… (6 characters)");
    }
}
