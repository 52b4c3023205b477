//! The head of the chain (`SEQ:HASH`): what `audit head` prints, what the file
//! store keeps beside the log, what an evidence file and the annual report carry
//! as witness. One type, so that a head is parsed, checked and printed one way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::event::Event;

/// A SHA-256 chain hash. Kept as bytes so that a malformed hash cannot exist past
/// parsing; shown and stored as 64 lower-case hex digits, as in the events.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// The hash of an event as the log stores it; `None` if it is not 64 hex digits.
    pub fn from_hex(s: &str) -> Option<ChainHash> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(ChainHash(out))
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

// Debug prints hex too: an array of 32 numbers in a test failure helps nobody.
impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl PartialEq<str> for ChainHash {
    fn eq(&self, other: &str) -> bool {
        ChainHash::from_hex(other).is_some_and(|h| h == *self)
    }
}

impl PartialEq<String> for ChainHash {
    fn eq(&self, other: &String) -> bool {
        self == other.as_str()
    }
}

impl Serialize for ChainHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChainHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ChainHash, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ChainHash::from_hex(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not 64 hex digits")))
    }
}

/// The last event of a chain: its seq and hash. Serialised as
/// `{"seq":…,"hash":"…"}` (the `.head` file, evidence trailers, JSON reports).
// Not `Copy`, although it could be: code outside the audit module clones heads,
// and with `Copy` clippy's clone_on_copy would fail it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: ChainHash,
}

impl Head {
    /// The head of an empty log: seq 0 and the genesis hash the first event links to.
    pub const GENESIS: Head = Head {
        seq: 0,
        hash: ChainHash([0; 32]),
    };

    /// The head a log would have if `event` were its last line; `None` when the
    /// event's hash is not a hash (a damaged line, which verify reports).
    pub fn of(event: &Event) -> Option<Head> {
        Some(Head {
            seq: event.seq,
            hash: ChainHash::from_hex(&event.hash)?,
        })
    }
}

/// The last line of a JSONL log, if it is an event.
pub fn last_event(log: &[u8]) -> Option<Event> {
    log.split(|b| *b == b'\n')
        .rfind(|l| !l.is_empty())
        .and_then(|l| serde_json::from_slice(l).ok())
}

/// `SEQ:HASH`, as `ltops audit head` prints it and `--expect-head` takes it.
impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// What a malformed head looks like to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}`: expected SEQ:HASH, e.g. 42:9f86d081…, with HASH 64 hex digits ({problem}) — `ltops audit head` prints it"
)]
pub struct HeadParseError {
    pub input: String,
    pub problem: &'static str,
}

impl FromStr for Head {
    type Err = HeadParseError;
    fn from_str(s: &str) -> Result<Head, HeadParseError> {
        let fail = |problem| HeadParseError {
            input: s.to_owned(),
            problem,
        };
        let (seq, hash) = s.split_once(':').ok_or_else(|| fail("no `:`"))?;
        let seq = seq
            .trim()
            .parse()
            .map_err(|_| fail("SEQ is not a sequence number"))?;
        let hash = hash.trim();
        if hash.len() != 64 {
            return Err(fail("HASH does not have 64 digits"));
        }
        let hash = ChainHash::from_hex(hash).ok_or_else(|| fail("HASH is not hexadecimal"))?;
        Ok(Head { seq, hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_same_text() {
        let text = format!("12:{}", "ab".repeat(32));
        let h: Head = text.parse().unwrap();
        assert_eq!(h.seq, 12);
        assert_eq!(h.to_string(), text);
        // Upper case is accepted and printed as the log stores it.
        let upper: Head = format!("12:{}", "AB".repeat(32)).parse().unwrap();
        assert_eq!(upper, h);
    }

    #[test]
    fn malformed_heads_say_what_was_expected() {
        for (input, problem) in [
            ("12", "no `:`"),
            ("x:ab", "SEQ is not a sequence number"),
            ("12:ab", "HASH does not have 64 digits"),
            (
                &format!("12:{}", "zz".repeat(32)),
                "HASH is not hexadecimal",
            ),
        ] {
            let e = input.parse::<Head>().unwrap_err();
            assert_eq!(e.problem, problem, "{input}");
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!("`{input}`: expected SEQ:HASH")),
                "{msg}"
            );
            assert!(msg.contains("64 hex digits"), "{msg}");
        }
    }

    #[test]
    fn the_genesis_head_links_to_the_first_event() {
        assert_eq!(Head::GENESIS.hash, *super::super::event::GENESIS);
    }

    #[test]
    fn serialises_as_seq_and_hex_hash() {
        let h = Head {
            seq: 7,
            hash: ChainHash([0xab; 32]),
        };
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!(r#"{{"seq":7,"hash":"{}"}}"#, "ab".repeat(32)));
        assert_eq!(serde_json::from_str::<Head>(&json).unwrap(), h);
        assert!(serde_json::from_str::<Head>(r#"{"seq":7,"hash":"ab"}"#).is_err());
    }
}
