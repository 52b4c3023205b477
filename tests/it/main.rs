//! Integration tests: the real `ltops` binary against the real peers of the lab
//! (PostgreSQL, moto, the SSO fake). One test binary, so one lab per run.

mod audit;
mod cli;
mod sso;
mod support;
mod tom;
