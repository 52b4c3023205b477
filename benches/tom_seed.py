"""Seeds a moto server for benches/tom_check.rs: an estate of accounts, each with
240 RDS instances and 30 Aurora clusters of 2 members (300 instances in all), 60
manual snapshots beside the automated ones moto takes (300 snapshots), 200 S3
buckets (KMS default encryption, Block Public Access, a TLS-only policy), 1,000
IAM roles with an attached and an inline policy, and the DPO's SSO role.

    python tom_seed.py ENDPOINT ACCOUNT[,ACCOUNT...] DIRECTORY.json

Accounts are seeded side by side, the calls of each through a thread pool
(moto answers several at once). Writes the SSO fake's directory (dora holds
LtopsDPO in every account) and prints what was made, as JSON."""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import botocore.config
import botocore.exceptions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "lab"))
import seed_moto  # noqa: E402  (the lab's DPO role and account helpers)

REGION = "eu-central-1"
CONFIG = botocore.config.Config(max_pool_connections=32, retries={"max_attempts": 10})


def call(method, **kw):
    """One API call, again when moto trips over its own threads (it answers 500,
    "dictionary changed size during iteration"); a create that did land before
    the error counts as done."""
    for attempt in range(8):
        try:
            return method(**kw)
        except botocore.exceptions.ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if attempt and ("AlreadyExists" in code or code == "BucketAlreadyOwnedByYou"):
                return None
            if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) < 500 or attempt == 7:
                raise
        except botocore.exceptions.ResponseParserError:
            if attempt == 7:
                raise
        time.sleep(0.05 * (attempt + 1))


def session_in(endpoint, account):
    if account == seed_moto.ACCOUNT:
        return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                     region_name=REGION)
    return seed_moto.assumed(endpoint, REGION, account)


def seed_account(endpoint, account, pool):
    s = session_in(endpoint, account)
    rds, iam, kms, s3 = (s.client(n, endpoint_url=endpoint, config=CONFIG) for n in ("rds", "iam", "kms", "s3"))
    seed_moto.dpo_role(s, endpoint, REGION)
    key = kms.create_key(Description="bench")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    rds.create_db_parameter_group(DBParameterGroupName="bench16", DBParameterGroupFamily="postgres16",
                                  Description="bench")
    rds.modify_db_parameter_group(DBParameterGroupName="bench16", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="bench-aurora16",
                                          DBParameterGroupFamily="aurora-postgresql16", Description="bench")
    common = dict(StorageEncrypted=True, KmsKeyId=key["Arn"], BackupRetentionPeriod=35, DeletionProtection=True,
                  EnableIAMDatabaseAuthentication=True, EnableCloudwatchLogsExports=["postgresql"],
                  MasterUsername="bench", MasterUserPassword="Bench-only-Passw0rd")

    def instance(i):
        call(rds.create_db_instance, DBInstanceIdentifier="bench-%03d" % i, Engine="postgres", EngineVersion="16.4",
                               DBInstanceClass="db.m6g.large", AllocatedStorage=20, MultiAZ=True,
                               DBParameterGroupName="bench16", PubliclyAccessible=False, **common)
        if i < 60:
            call(rds.create_db_snapshot, DBSnapshotIdentifier="bench-manual-%03d" % i,
                                   DBInstanceIdentifier="bench-%03d" % i)

    def cluster(c):
        cid = "bench-cluster-%02d" % c
        call(rds.create_db_cluster, DBClusterIdentifier=cid, Engine="aurora-postgresql", EngineVersion="16.4",
                              DBClusterParameterGroupName="bench-aurora16", **common)
        for m, az in enumerate(("a", "b")):
            call(rds.create_db_instance, DBInstanceIdentifier="%s-%d" % (cid, m), DBClusterIdentifier=cid,
                                   Engine="aurora-postgresql", DBInstanceClass="db.r6g.large",
                                   AvailabilityZone=REGION + az, PubliclyAccessible=False)

    def bucket(b):
        name = "bench-%s-%03d" % (account, b)
        call(s3.create_bucket, Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        call(s3.put_bucket_encryption, Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
        call(s3.put_public_access_block, Bucket=name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
        call(s3.put_bucket_policy, Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::%s" % name, "arn:aws:s3:::%s/*" % name],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))

    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    inline = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                         "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bench/*"}]})

    def role(r):
        name = "bench-role-%04d" % r
        call(iam.create_role, RoleName=name, AssumeRolePolicyDocument=trust)
        call(iam.attach_role_policy, RoleName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        call(iam.put_role_policy, RoleName=name, PolicyName="bench", PolicyDocument=inline)

    jobs = ([pool.submit(instance, i) for i in range(240)] + [pool.submit(cluster, c) for c in range(30)]
            + [pool.submit(bucket, b) for b in range(200)] + [pool.submit(role, r) for r in range(1000)])
    for j in jobs:
        j.result()
    snapshots = sum(len(p["DBSnapshots"]) for p in rds.get_paginator("describe_db_snapshots").paginate())
    snapshots += sum(len(p["DBClusterSnapshots"])
                     for p in rds.get_paginator("describe_db_cluster_snapshots").paginate())
    instances = sum(len(p["DBInstances"]) for p in rds.get_paginator("describe_db_instances").paginate())
    return {"account": account, "instances": instances, "clusters": 30, "snapshots": snapshots,
            "buckets": 200, "roles": 1000}


def main():
    endpoint, accounts, directory = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    with ThreadPoolExecutor(max_workers=12) as pool:
        with ThreadPoolExecutor(max_workers=len(accounts)) as outer:
            made = list(outer.map(lambda a: seed_account(endpoint, a, pool), accounts))
    Path(directory).write_text(json.dumps({
        "start_url": "https://leadtributor.awsapps.com/start", "region": REGION,
        "default_user": "dora@leadtributor.cloud",
        "accounts": [{"account_id": a, "account_name": "bench-%s" % a, "email_address": "aws-%s@bench" % a}
                     for a in accounts],
        "users": [{"email": "dora@leadtributor.cloud", "display_name": "Dora DPO",
                   "assignments": [{"account_id": a, "role_name": "LtopsDPO"} for a in accounts]}],
    }, indent=1))
    json.dump(made, sys.stdout)


if __name__ == "__main__":
    main()
