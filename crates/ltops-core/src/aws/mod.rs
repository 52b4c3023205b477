//! Everything that talks to AWS: the SDK configuration, SSO sign-in and its token
//! cache, and who the caller is. No printing or prompting here; commands do that.

pub mod bounded;
pub mod config;
pub mod error;
pub mod identity;
pub mod portal;
pub mod query;
pub mod rds;
pub mod sso;
pub mod token_cache;
