"""Seeds a moto server for benches/tom_check.rs: 240 RDS instances, 30 Aurora
clusters with 2 members each (300 instances in all), 1,000 IAM roles with an
attached and an inline policy. Prints {"roles": [...], "instances": n, "clusters": n}."""
import json
import sys

import boto3

endpoint = sys.argv[1]
s = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                          region_name="eu-central-1")
rds, iam, kms = (s.client(n, endpoint_url=endpoint) for n in ("rds", "iam", "kms"))
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
for i in range(240):
    rds.create_db_instance(DBInstanceIdentifier="bench-%03d" % i, Engine="postgres", EngineVersion="16.4",
                           DBInstanceClass="db.m6g.large", AllocatedStorage=20, MultiAZ=True,
                           DBParameterGroupName="bench16", PubliclyAccessible=False, **common)
for c in range(30):
    cid = "bench-cluster-%02d" % c
    rds.create_db_cluster(DBClusterIdentifier=cid, Engine="aurora-postgresql", EngineVersion="16.4",
                          DBClusterParameterGroupName="bench-aurora16", **common)
    for m, az in enumerate(("a", "b")):
        rds.create_db_instance(DBInstanceIdentifier="%s-%d" % (cid, m), DBClusterIdentifier=cid,
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large",
                               AvailabilityZone="eu-central-1" + az, PubliclyAccessible=False)
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
inline = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                     "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bench/*"}]})
roles = []
for r in range(1000):
    name = "bench-role-%04d" % r
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_role_policy(RoleName=name, PolicyName="bench", PolicyDocument=inline)
    roles.append(name)
json.dump({"roles": roles, "instances": 300, "clusters": 30}, sys.stdout)
