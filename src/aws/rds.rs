//! RDS listings that both the TOM checks and restore need whole: every instance
//! and every cluster in a client's region, followed through all pages.

use aws_sdk_rds::Client;
use aws_sdk_rds::types::{DbCluster, DbInstance};

use super::error::{AwsError, describe};

/// Every DB instance; `what` names the call in an error (it may add the region).
pub async fn instances(rds: &Client, what: &str) -> Result<Vec<DbInstance>, AwsError> {
    rds.describe_db_instances()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| describe(what, &e))
}

/// Every DB cluster; `what` names the call in an error (it may add the region).
pub async fn clusters(rds: &Client, what: &str) -> Result<Vec<DbCluster>, AwsError> {
    rds.describe_db_clusters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| describe(what, &e))
}
