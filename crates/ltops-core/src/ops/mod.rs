//! Use cases: what ltops does, as functions of the library that take typed
//! options and return typed outcomes. They orchestrate the domain modules and
//! never see clap, the printer or a prompt — the command layer (`commands/`)
//! translates flags into options, calls one use case and prints its result.
//! Every change runs through the one pipeline in [`mutation`].

pub mod anchoring;
pub mod approvals;
pub mod erase;
pub mod gate;
pub mod inspect;
pub mod intervene;
pub mod mutation;
pub mod purge;
pub mod record;
pub mod restore;
pub mod review;
pub mod tenants;
