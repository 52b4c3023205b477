//! The RDS inventory that both the TOM checks and restore need whole: every
//! instance and every cluster in a client's region, followed through all pages.

use aws_sdk_rds::Client;
use aws_sdk_rds::types::{DbCluster, DbInstance};

use super::error::{AwsError, describe};

/// Every DB instance and every DB cluster, listed concurrently. `context` is
/// added to the call's name in an error, e.g. " in eu-central-1".
pub async fn inventory(
    rds: &Client,
    context: &str,
) -> Result<(Vec<DbInstance>, Vec<DbCluster>), AwsError> {
    let instances = rds.describe_db_instances().into_paginator().items().send();
    let clusters = rds.describe_db_clusters().into_paginator().items().send();
    let (instances, clusters) = tokio::join!(instances.try_collect(), clusters.try_collect());
    let instances =
        instances.map_err(|e| describe(&format!("rds:DescribeDBInstances{context}"), &e))?;
    let clusters =
        clusters.map_err(|e| describe(&format!("rds:DescribeDBClusters{context}"), &e))?;
    Ok((instances, clusters))
}
