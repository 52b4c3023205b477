//! Integration tests: the real `ltops` binary against the real peers of the lab
//! (PostgreSQL, moto, the SSO fake). One test binary, so one lab per run.

mod anchor;
mod approvals;
mod audit;
mod cli;
mod errors;
mod events;
mod inspect;
mod intervene;
mod json;
mod restore;
mod scope;
mod sso;
mod support;
mod tenant;
mod tom;
