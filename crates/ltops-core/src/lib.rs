//! The library of ltops: the domain (audit log, AWS, database, data map,
//! erasure, restore, interventions, TOM checks) and the use cases built on it
//! (`ops`). It knows nothing of the command line: no clap, no printing, no
//! prompts — the `ltops` crate beside it translates flags, asks and prints.
//! Being a crate of its own is what lets the compiler enforce that split.

pub mod approval;
pub mod approval_pin;
pub mod audit;
pub mod aws;
pub mod datamap;
pub mod db;
pub mod erasure;
pub mod fsutil;
pub mod inspection;
pub mod intervention;
pub mod located;
pub mod ops;
pub mod restore;
pub mod settings;
pub mod tenant_id;
pub mod tom;
pub mod when;

/// Version of every JSON document ltops writes (stdout, reports,
/// certificates); bump on incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Marks an error as an interruption (Ctrl-C), so it maps to exit code 130.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// Marks an error as a refusal of the plan ("the answer is no"), so it maps to
/// exit code 1: e.g. an approval that is missing, expired, denied or used.
#[derive(Debug, thiserror::Error)]
#[error("refused: {0}")]
pub struct Refused(pub String);
