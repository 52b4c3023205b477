//! Tenant erasure on the controller's instruction (TOM §3, §6): immediate,
//! irreversible and permanent, except rows under statutory retention, which are
//! kept minimised and purged when their period ends.

pub mod certificate;
pub mod ledger;
pub mod plan;
pub mod purge;
pub mod run;

#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    /// Not a `#[source]`: the message already says the server's words, and a
    /// source would make the error printer say them again.
    #[error("database: {}", crate::db::error_chain(.0))]
    Db(tokio_postgres::Error),
    #[error(
        "tenant {tenant} is being erased right now by another session — wait for it, then check `ltops tenant ledger`"
    )]
    Busy { tenant: String },
    #[error("the erasure could not be verified, so it was not committed: {0}")]
    NotVerified(run::Verification),
    #[error("{0}")]
    Setup(String),
}

impl From<tokio_postgres::Error> for ErasureError {
    fn from(e: tokio_postgres::Error) -> Self {
        ErasureError::Db(e)
    }
}
