#!/usr/bin/env python3
"""Seed a moto server with the compliant ltops lab account, through the AWS API.

    python seed_moto.py --endpoint http://127.0.0.1:PORT

Region eu-central-1, moto's default account 123456789012, credentials testing/testing.
Creates the IAM Identity Center permission-set roles (AWSReservedSSO_*), a static-key
IAM user, the account password policy, a KMS key, network, parameter groups, the
Aurora cluster platform-prod (2 instances) and the RDS instances reporting-prod and
billing-prod. Every setting is read back with describe calls; a setting that does not
round-trip (and is not a known moto gap, see README.md) makes the script fail.
Prints one JSON object summarising what was created on stdout; progress on stderr.
Not idempotent: a second run against the same moto fails loudly (EntityAlreadyExists).
"""

import argparse
import hashlib
import json
import os
import sys

import boto3

ACCOUNT = "123456789012"
SSO_PATH_TMPL = "/aws-reserved/sso.amazonaws.com/{region}/"
SAML_PROVIDER = "AWSSSO_5e1c7a9d3b2f4c60_DO_NOT_DELETE"
TAGS = [
    {"Key": "environment", "Value": "prod"},
    {"Key": "owner", "Value": "platform"},
    {"Key": "data-classification", "Value": "personal"},
    {"Key": "managed-by", "Value": "terraform"},
]
CLUSTER_ID = "platform-prod"
CLUSTER_INSTANCES = ["platform-prod-1", "platform-prod-2"]
RDS_INSTANCES = ["reporting-prod", "billing-prod"]
CLUSTER_PG = "platform-aurora-postgresql16"
INSTANCE_PG = "platform-postgres16"
SUBNET_GROUP = "platform-db"
BACKUP_RETENTION = 35
LOG_EXPORTS = ["postgresql"]

POLICY_ONCALL = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "RdsRead", "Effect": "Allow",
         "Action": ["rds:Describe*", "rds:ListTagsForResource"], "Resource": "*"},
        {"Sid": "RdsPointInTimeRestore", "Effect": "Allow",
         "Action": ["rds:RestoreDBClusterToPointInTime", "rds:RestoreDBInstanceToPointInTime",
                    "rds:CreateDBInstance", "rds:AddTagsToResource"],
         "Resource": "*"},
        {"Sid": "KmsForEncryptedRestore", "Effect": "Allow",
         "Action": ["kms:DescribeKey", "kms:CreateGrant"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "rds.eu-central-1.amazonaws.com"}}},
        {"Sid": "DbConnectAsOperator", "Effect": "Allow", "Action": "rds-db:connect",
         "Resource": "arn:aws:rds-db:eu-central-1:%s:dbuser:*/ltops_operator" % ACCOUNT},
    ],
}
POLICY_DPO = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "IamRead", "Effect": "Allow",
         "Action": ["iam:Get*", "iam:List*", "iam:GenerateCredentialReport"], "Resource": "*"},
        {"Sid": "RdsRead", "Effect": "Allow",
         "Action": ["rds:Describe*", "rds:ListTagsForResource"], "Resource": "*"},
        {"Sid": "KmsRead", "Effect": "Allow",
         "Action": ["kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListKeys",
                    "kms:ListAliases"], "Resource": "*"},
        {"Sid": "DbConnectAsAuditor", "Effect": "Allow", "Action": "rds-db:connect",
         "Resource": "arn:aws:rds-db:eu-central-1:%s:dbuser:*/ltops_auditor" % ACCOUNT},
    ],
}
PERMISSION_SETS = {
    "LtopsAdmin": {"managed": ["arn:aws:iam::aws:policy/AdministratorAccess"], "inline": None,
                   "max_session": 3600},
    "LtopsOnCall": {"managed": [], "inline": POLICY_ONCALL, "max_session": 3600},
    "LtopsDPO": {"managed": [], "inline": POLICY_DPO, "max_session": 3600},
    "ReadOnly": {"managed": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "inline": None,
                 "max_session": 3600},
}
PASSWORD_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
    "HardExpiry": False,
}

SAML_METADATA = """<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
  entityID="https://portal.sso.eu-central-1.amazonaws.com/saml/assertion/lab">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>
%s
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
      Location="https://portal.sso.eu-central-1.amazonaws.com/saml/logon/lab"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
""" % "\n".join(["TEFCLU9OTFktTk9ULUEtUkVBTC1DRVJUSUZJQ0FURS0=" * 1] * 24)  # placeholder, >= 1000 chars


def log(msg):
    sys.stderr.write("[seed_moto] %s\n" % msg)
    sys.stderr.flush()


class Checker:
    """Collects read-back mismatches; known moto gaps are recorded, not fatal."""

    def __init__(self):
        self.failures = []
        self.gaps = []

    def eq(self, what, got, want, gap=False):
        if got == want:
            return
        msg = "%s: expected %r, moto returned %r" % (what, want, got)
        (self.gaps if gap else self.failures).append(msg)
        log(("moto gap: " if gap else "MISMATCH: ") + msg)


def sso_role_name(permission_set):
    # 16 lowercase hex chars like production, deterministic so tests can rely on them
    digest = hashlib.sha256(("lab/" + permission_set).encode()).hexdigest()[:16]
    return "AWSReservedSSO_%s_%s" % (permission_set, digest)


def trust_policy():
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::%s:saml-provider/%s" % (ACCOUNT, SAML_PROVIDER)},
            "Action": ["sts:AssumeRoleWithSAML", "sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }],
    }


def tagdict(tags):
    return {t["Key"]: t["Value"] for t in tags or []}


def secure_bucket(session, endpoint, name, region, key_arn, encryption=True, block=True, tls=True):
    """A bucket as the TOM wants it (KMS default encryption, Block Public Access, a policy
    denying plain HTTP); each flag off leaves out exactly that one measure."""
    s3 = session.client("s3", endpoint_url=endpoint, region_name=region)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if encryption:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})
    if block:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
    statement = {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::%s" % name, "arn:aws:s3:::%s/*" % name],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    if not tls:
        statement = {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % name}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    return "arn:aws:s3:::%s" % name


def account_public_access_block(session, endpoint, region, account):
    """Block Public Access for the whole account (s3control), all four settings on."""
    control = session.client("s3control", endpoint_url=endpoint, region_name=region)

    def one_host(request, **_):
        # botocore puts the account in front of the host; the lab's endpoint is one host.
        request.url = request.url.replace("//%s." % account, "//", 1)

    control.meta.events.register("before-sign.s3-control.PutPublicAccessBlock", one_host)
    control.put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})


def alerting(session, endpoint, region, topic_name, subscribed=True):
    """An SNS topic for alarms; with an e-mail subscription unless `subscribed` is False."""
    sns = session.client("sns", endpoint_url=endpoint, region_name=region)
    arn = sns.create_topic(Name=topic_name)["TopicArn"]
    if subscribed:
        sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="oncall@leadtributor.cloud")
    return arn


def db_alarm(session, endpoint, region, name, dimension, ident, topic):
    """A CloudWatch alarm on one database's CPU that notifies `topic`."""
    session.client("cloudwatch", endpoint_url=endpoint, region_name=region).put_metric_alarm(
        AlarmName=name, Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average",
        Dimensions=[{"Name": dimension, "Value": ident}], Period=300, EvaluationPeriods=3,
        Threshold=90.0, ComparisonOperator="GreaterThanThreshold", ActionsEnabled=True,
        AlarmActions=[topic])


def trail(session, endpoint, region, name, bucket, validation=True):
    """A multi-region CloudTrail trail, logging, into `bucket`."""
    ct = session.client("cloudtrail", endpoint_url=endpoint, region_name=region)
    arn = ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True,
                          EnableLogFileValidation=validation)["TrailARN"]
    ct.start_logging(Name=arn)
    return arn


def seed(endpoint, region):
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )

    def client(name):
        return session.client(name, endpoint_url=endpoint)

    sts, iam, kms, ec2, rds = (client(n) for n in ("sts", "iam", "kms", "ec2", "rds"))
    chk = Checker()
    out = {"account_id": None, "region": region, "endpoint": endpoint}

    ident = sts.get_caller_identity()
    out["account_id"] = ident["Account"]
    if ident["Account"] != ACCOUNT:
        raise SystemExit("moto default account is %s, expected %s" % (ident["Account"], ACCOUNT))

    # ---- IAM Identity Center permission-set roles --------------------------------------
    log("IAM: SAML provider and AWSReservedSSO_* roles")
    saml = iam.create_saml_provider(SAMLMetadataDocument=SAML_METADATA, Name=SAML_PROVIDER)
    out["saml_provider_arn"] = saml["SAMLProviderArn"]
    sso_path = SSO_PATH_TMPL.format(region=region)
    out["permission_sets"] = {}
    for ps, spec in PERMISSION_SETS.items():
        name = sso_role_name(ps)
        role = iam.create_role(
            Path=sso_path,
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust_policy()),
            Description="Shared role created by AWS SSO for %s" % ps,
            MaxSessionDuration=spec["max_session"],
        )["Role"]
        for arn in spec["managed"]:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        if spec["inline"]:
            iam.put_role_policy(RoleName=name, PolicyName="AwsSSOInlinePolicy",
                                PolicyDocument=json.dumps(spec["inline"]))
        out["permission_sets"][ps] = {"role_name": name, "role_arn": role["Arn"],
                                      "managed_policies": spec["managed"],
                                      "inline_policy": bool(spec["inline"])}

    # ---- IAM Identity Center: the permission sets behind the roles, who holds them ------------
    log("IAM Identity Center: permission sets, users, group platform-admins, assignments")
    out["identity_center"] = seed_identity_center(session, endpoint, ACCOUNT, [
        ("LtopsAdmin", "PT1H", PERMISSION_SETS["LtopsAdmin"], [("GROUP", "platform-admins")]),
        ("LtopsOnCall", "PT1H", PERMISSION_SETS["LtopsOnCall"], [("USER", "bob@leadtributor.cloud")]),
        ("LtopsDPO", "PT1H", PERMISSION_SETS["LtopsDPO"], [("USER", "dora@leadtributor.cloud")]),
        ("ReadOnly", "PT1H", PERMISSION_SETS["ReadOnly"], [("USER", "rita@leadtributor.cloud")]),
    ], users=["alice@leadtributor.cloud", "adam@leadtributor.cloud", "bob@leadtributor.cloud",
              "dora@leadtributor.cloud", "rita@leadtributor.cloud"],
       groups={"platform-admins": ["alice@leadtributor.cloud", "adam@leadtributor.cloud"]})

    # ---- static-key IAM user -------------------------------------------------------------
    log("IAM: user ci-deployer with a static access key")
    user = iam.create_user(UserName="ci-deployer", Path="/ci/",
                           Tags=[{"Key": "purpose", "Value": "ci"}])["User"]
    key = iam.create_access_key(UserName="ci-deployer")["AccessKey"]
    out["iam_user"] = {"user_name": "ci-deployer", "arn": user["Arn"],
                       "access_key_id": key["AccessKeyId"],
                       "secret_access_key": key["SecretAccessKey"]}

    log("IAM: account password policy")
    iam.update_account_password_policy(**PASSWORD_POLICY)
    out["password_policy"] = PASSWORD_POLICY

    # ---- KMS ---------------------------------------------------------------------------------
    log("KMS: customer-managed key with rotation")
    kmd = kms.create_key(Description="platform RDS storage encryption",
                         KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT",
                         Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in TAGS])["KeyMetadata"]
    kms.enable_key_rotation(KeyId=kmd["KeyId"])
    kms.create_alias(AliasName="alias/platform-rds", TargetKeyId=kmd["KeyId"])
    key_arn = kmd["Arn"]
    out["kms_key_arn"] = key_arn
    out["kms_key_alias"] = "alias/platform-rds"

    # ---- network ------------------------------------------------------------------------------
    log("EC2: VPC, 3 subnets in 3 AZs, security group")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "platform"}])
    azs = ["%s%s" % (region, s) for s in "abc"]
    subnets = []
    for i, az in enumerate(azs):
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.%d.0/24" % (i + 1),
                               AvailabilityZone=az)["Subnet"]["SubnetId"]
        subnets.append(sn)
    sg = ec2.create_security_group(GroupName="platform-db", Description="platform databases",
                                   VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "IpRanges": [{"CidrIp": "10.42.0.0/16", "Description": "VPC only"}]}])
    out["vpc_id"] = vpc
    out["subnet_ids"] = subnets
    out["security_group_id"] = sg

    log("RDS: subnet group and parameter groups")
    rds.create_db_subnet_group(DBSubnetGroupName=SUBNET_GROUP,
                               DBSubnetGroupDescription="platform databases, 3 AZs",
                               SubnetIds=subnets, Tags=TAGS)
    out["db_subnet_group"] = SUBNET_GROUP
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=CLUSTER_PG,
                                          DBParameterGroupFamily="aurora-postgresql16",
                                          Description="platform: TLS only", Tags=TAGS)
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=CLUSTER_PG, Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    rds.create_db_parameter_group(DBParameterGroupName=INSTANCE_PG,
                                  DBParameterGroupFamily="postgres16",
                                  Description="platform: TLS only", Tags=TAGS)
    rds.modify_db_parameter_group(DBParameterGroupName=INSTANCE_PG, Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    out["db_cluster_parameter_group"] = CLUSTER_PG
    out["db_parameter_group"] = INSTANCE_PG

    # ---- Aurora cluster --------------------------------------------------------------------------
    log("RDS: aurora-postgresql cluster %s with 2 instances" % CLUSTER_ID)
    cluster = rds.create_db_cluster(
        DBClusterIdentifier=CLUSTER_ID,
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        DatabaseName="platform",
        MasterUsername="platform_admin",
        MasterUserPassword="Lab-only-Passw0rd-not-secret",
        Port=5432,
        AvailabilityZones=azs,
        DBSubnetGroupName=SUBNET_GROUP,
        VpcSecurityGroupIds=[sg],
        DBClusterParameterGroupName=CLUSTER_PG,
        StorageEncrypted=True,
        KmsKeyId=key_arn,
        BackupRetentionPeriod=BACKUP_RETENTION,
        PreferredBackupWindow="01:00-02:00",
        PreferredMaintenanceWindow="sun:03:00-sun:04:00",
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=LOG_EXPORTS,
        CopyTagsToSnapshot=True,
        Tags=TAGS,
    )["DBCluster"]
    instances = {}
    for ident_, az in zip(CLUSTER_INSTANCES, azs):
        inst = rds.create_db_instance(
            DBInstanceIdentifier=ident_,
            DBClusterIdentifier=CLUSTER_ID,
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
            AvailabilityZone=az,
            PubliclyAccessible=False,
            AutoMinorVersionUpgrade=True,
            Tags=TAGS,
        )["DBInstance"]
        instances[ident_] = inst["DBInstanceArn"]
    out["cluster"] = {"id": CLUSTER_ID, "arn": cluster["DBClusterArn"],
                      "resource_id": cluster.get("DbClusterResourceId"),
                      "endpoint": cluster.get("Endpoint"),
                      "instances": [{"id": i, "arn": a} for i, a in instances.items()]}
    out["clusters"] = [out["cluster"]]

    # ---- RDS postgres instances ------------------------------------------------------------------
    out["instances"] = []
    for ident_ in RDS_INSTANCES:
        log("RDS: postgres instance %s (Multi-AZ)" % ident_)
        inst = rds.create_db_instance(
            DBInstanceIdentifier=ident_,
            DBName=ident_.split("-")[0],
            Engine="postgres",
            EngineVersion="16.4",
            DBInstanceClass="db.m6g.large",
            AllocatedStorage=100,
            StorageType="gp3",
            MasterUsername="platform_admin",
            MasterUserPassword="Lab-only-Passw0rd-not-secret",
            Port=5432,
            MultiAZ=True,
            DBSubnetGroupName=SUBNET_GROUP,
            VpcSecurityGroupIds=[sg],
            DBParameterGroupName=INSTANCE_PG,
            StorageEncrypted=True,
            KmsKeyId=key_arn,
            BackupRetentionPeriod=BACKUP_RETENTION,
            PreferredBackupWindow="01:00-02:00",
            PreferredMaintenanceWindow="sun:03:00-sun:04:00",
            DeletionProtection=True,
            EnableIAMDatabaseAuthentication=True,
            EnableCloudwatchLogsExports=LOG_EXPORTS,
            PubliclyAccessible=False,
            AutoMinorVersionUpgrade=True,
            CopyTagsToSnapshot=True,
            Tags=TAGS,
        )["DBInstance"]
        out["instances"].append({"id": ident_, "arn": inst["DBInstanceArn"]})

    # ---- CloudTrail into a bucket that passes the bucket checks -------------------------
    log("CloudTrail: multi-region trail with validation into a KMS-encrypted, TLS-only bucket")
    trail_bucket = "lt-cloudtrail-%s" % ACCOUNT
    out["trail_bucket"] = secure_bucket(session, endpoint, trail_bucket, region, key_arn)
    out["trail_arn"] = trail(session, endpoint, region, "platform-trail", trail_bucket)

    log("S3: account-level Block Public Access")
    account_public_access_block(session, endpoint, region, ACCOUNT)

    # ---- monitoring: every production database alarms a subscribed topic (TOM-7.5) ---------
    log("CloudWatch: alarms on every production database, notifying a subscribed SNS topic")
    topic = alerting(session, endpoint, region, "platform-alerts")
    out["alarm_topic"] = topic
    db_alarm(session, endpoint, region, "platform-prod-cpu", "DBClusterIdentifier", CLUSTER_ID, topic)
    for ident_ in RDS_INSTANCES:
        db_alarm(session, endpoint, region, ident_ + "-cpu", "DBInstanceIdentifier", ident_, topic)

    verify(chk, out, iam, kms, ec2, rds, region)
    out["moto_gaps"] = chk.gaps
    if chk.failures:
        log("%d setting(s) did not round-trip:" % len(chk.failures))
        for f in chk.failures:
            log("  " + f)
        raise SystemExit(1)
    return out


def verify(chk, out, iam, kms, ec2, rds, region):
    log("verifying with describe calls")
    # IAM roles
    roles = []
    for page in iam.get_paginator("list_roles").paginate(PathPrefix="/aws-reserved/sso.amazonaws.com/"):
        roles.extend(page["Roles"])
    by_name = {r["RoleName"]: r for r in roles}
    for ps, info in out["permission_sets"].items():
        r = by_name.get(info["role_name"])
        chk.eq("role %s found via PathPrefix" % info["role_name"], r is not None, True)
        if r is None:
            continue
        chk.eq("role %s path" % ps, r["Path"], SSO_PATH_TMPL.format(region=region))
        chk.eq("role %s arn" % ps, r["Arn"], info["role_arn"])
        got = iam.get_role(RoleName=info["role_name"])["Role"]
        doc = got["AssumeRolePolicyDocument"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        chk.eq("role %s trust policy" % ps, doc, trust_policy())
        chk.eq("role %s max session" % ps, got.get("MaxSessionDuration"),
               PERMISSION_SETS[ps]["max_session"])
        attached = sorted(p["PolicyArn"] for p in
                          iam.list_attached_role_policies(RoleName=info["role_name"])["AttachedPolicies"])
        chk.eq("role %s managed policies" % ps, attached, sorted(PERMISSION_SETS[ps]["managed"]))
        inline = iam.list_role_policies(RoleName=info["role_name"])["PolicyNames"]
        if PERMISSION_SETS[ps]["inline"]:
            chk.eq("role %s inline policy names" % ps, inline, ["AwsSSOInlinePolicy"])
            pdoc = iam.get_role_policy(RoleName=info["role_name"],
                                       PolicyName="AwsSSOInlinePolicy")["PolicyDocument"]
            if isinstance(pdoc, str):
                pdoc = json.loads(pdoc)
            chk.eq("role %s inline policy" % ps, pdoc, PERMISSION_SETS[ps]["inline"])
        else:
            chk.eq("role %s inline policy names" % ps, inline, [])
    # managed policies really exist (MOTO_IAM_LOAD_MANAGED_POLICIES=true)
    for arn in ("arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"):
        try:
            iam.get_policy(PolicyArn=arn)
            ok = True
        except iam.exceptions.NoSuchEntityException:
            ok = False
        chk.eq("AWS managed policy %s exists (MOTO_IAM_LOAD_MANAGED_POLICIES=true?)" % arn, ok, True)

    # IAM user + key
    keys = iam.list_access_keys(UserName="ci-deployer")["AccessKeyMetadata"]
    chk.eq("ci-deployer access keys", [(k["AccessKeyId"], k["Status"]) for k in keys],
           [(out["iam_user"]["access_key_id"], "Active")])

    # password policy
    pp = iam.get_account_password_policy()["PasswordPolicy"]
    for k, v in PASSWORD_POLICY.items():
        chk.eq("password policy %s" % k, pp.get(k), v)

    # KMS
    km = kms.describe_key(KeyId=out["kms_key_arn"])["KeyMetadata"]
    chk.eq("kms key manager", km.get("KeyManager"), "CUSTOMER")
    chk.eq("kms key state", km.get("KeyState"), "Enabled")
    chk.eq("kms rotation", kms.get_key_rotation_status(KeyId=km["KeyId"])["KeyRotationEnabled"], True)
    aliases = [a["AliasName"] for a in kms.list_aliases(KeyId=km["KeyId"])["Aliases"]]
    chk.eq("kms alias", aliases, ["alias/platform-rds"])

    # network
    sng = rds.describe_db_subnet_groups(DBSubnetGroupName=SUBNET_GROUP)["DBSubnetGroups"][0]
    chk.eq("subnet group vpc", sng["VpcId"], out["vpc_id"])
    chk.eq("subnet group subnets", sorted(s["SubnetIdentifier"] for s in sng["Subnets"]),
           sorted(out["subnet_ids"]))
    chk.eq("subnet group AZs", sorted(s["SubnetAvailabilityZone"]["Name"] for s in sng["Subnets"]),
           ["%s%s" % (region, s) for s in "abc"])
    sgd = ec2.describe_security_groups(GroupIds=[out["security_group_id"]])["SecurityGroups"][0]
    chk.eq("security group ingress", [(p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p["IpRanges"]])
                                      for p in sgd["IpPermissions"]], [(5432, 5432, ["10.42.0.0/16"])])

    # parameter groups
    def param(pages, name):
        for page in pages:
            for p in page["Parameters"]:
                if p["ParameterName"] == name:
                    return p.get("ParameterValue")
        return None

    cpg = rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=CLUSTER_PG)["DBClusterParameterGroups"][0]
    chk.eq("cluster parameter group family", cpg["DBParameterGroupFamily"], "aurora-postgresql16")
    chk.eq("cluster parameter group rds.force_ssl",
           param([rds.describe_db_cluster_parameters(DBClusterParameterGroupName=CLUSTER_PG)],
                 "rds.force_ssl"), "1")
    ipg = rds.describe_db_parameter_groups(DBParameterGroupName=INSTANCE_PG)["DBParameterGroups"][0]
    chk.eq("parameter group family", ipg["DBParameterGroupFamily"], "postgres16")
    chk.eq("parameter group rds.force_ssl",
           param(rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=INSTANCE_PG),
                 "rds.force_ssl"), "1")

    # cluster
    c = rds.describe_db_clusters(DBClusterIdentifier=CLUSTER_ID)["DBClusters"][0]
    chk.eq("cluster engine", c["Engine"], "aurora-postgresql")
    chk.eq("cluster arn", c["DBClusterArn"], out["cluster"]["arn"])
    chk.eq("cluster storage encrypted", c.get("StorageEncrypted"), True)
    chk.eq("cluster kms key", c.get("KmsKeyId"), out["kms_key_arn"])
    chk.eq("cluster backup retention", c.get("BackupRetentionPeriod"), BACKUP_RETENTION)
    chk.eq("cluster deletion protection", c.get("DeletionProtection"), True)
    chk.eq("cluster IAM db auth", c.get("IAMDatabaseAuthenticationEnabled"), True)
    chk.eq("cluster log exports", c.get("EnabledCloudwatchLogsExports"), LOG_EXPORTS)
    chk.eq("cluster publicly accessible", c.get("PubliclyAccessible", False), False)
    chk.eq("cluster parameter group", c.get("DBClusterParameterGroup"), CLUSTER_PG)
    chk.eq("cluster subnet group", c.get("DBSubnetGroup"), SUBNET_GROUP)
    chk.eq("cluster security groups", [g["VpcSecurityGroupId"] for g in c.get("VpcSecurityGroups", [])],
           [out["security_group_id"]])
    chk.eq("cluster tags", tagdict(c.get("TagList")), tagdict(TAGS))
    chk.eq("cluster members", sorted(m["DBInstanceIdentifier"] for m in c.get("DBClusterMembers", [])),
           sorted(CLUSTER_INSTANCES))
    chk.eq("cluster restore window present",
           bool(c.get("EarliestRestorableTime")) and bool(c.get("LatestRestorableTime")), True, gap=True)

    azs_seen = set()
    for ident_ in CLUSTER_INSTANCES:
        i = rds.describe_db_instances(DBInstanceIdentifier=ident_)["DBInstances"][0]
        azs_seen.add(i.get("AvailabilityZone"))
        chk.eq("%s cluster" % ident_, i.get("DBClusterIdentifier"), CLUSTER_ID)
        chk.eq("%s engine" % ident_, i.get("Engine"), "aurora-postgresql")
        chk.eq("%s publicly accessible" % ident_, i.get("PubliclyAccessible"), False)
        chk.eq("%s storage encrypted (inherited from cluster)" % ident_, i.get("StorageEncrypted"),
               True, gap=True)
        chk.eq("%s tags" % ident_, tagdict(i.get("TagList")), tagdict(TAGS))
    chk.eq("cluster instances in different AZs", len(azs_seen), len(CLUSTER_INSTANCES))

    # instances
    for ident_ in RDS_INSTANCES:
        i = rds.describe_db_instances(DBInstanceIdentifier=ident_)["DBInstances"][0]
        chk.eq("%s engine" % ident_, i.get("Engine"), "postgres")
        chk.eq("%s storage encrypted" % ident_, i.get("StorageEncrypted"), True)
        chk.eq("%s kms key" % ident_, i.get("KmsKeyId"), out["kms_key_arn"])
        chk.eq("%s backup retention" % ident_, i.get("BackupRetentionPeriod"), BACKUP_RETENTION)
        chk.eq("%s deletion protection" % ident_, i.get("DeletionProtection"), True)
        chk.eq("%s IAM db auth" % ident_, i.get("IAMDatabaseAuthenticationEnabled"), True)
        chk.eq("%s log exports" % ident_, i.get("EnabledCloudwatchLogsExports"), LOG_EXPORTS)
        chk.eq("%s publicly accessible" % ident_, i.get("PubliclyAccessible"), False)
        chk.eq("%s multi-AZ" % ident_, i.get("MultiAZ"), True)
        chk.eq("%s parameter group" % ident_,
               [p["DBParameterGroupName"] for p in i.get("DBParameterGroups", [])], [INSTANCE_PG])
        chk.eq("%s subnet group" % ident_, (i.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
               SUBNET_GROUP)
        chk.eq("%s security groups" % ident_,
               [g["VpcSecurityGroupId"] for g in i.get("VpcSecurityGroups", [])],
               [out["security_group_id"]])
        chk.eq("%s tags" % ident_, tagdict(i.get("TagList")), tagdict(TAGS))
        chk.eq("%s restore window present" % ident_, bool(i.get("LatestRestorableTime")), True, gap=True)


def seed_identity_center(session, endpoint, account, sets, users, groups, region="eu-central-1"):
    """Permission sets (name, session duration, spec, [(USER|GROUP, name)]), identity-store
    users and groups, and the account assignments, in IAM Identity Center of `region`."""
    sso = session.client("sso-admin", endpoint_url=endpoint, region_name=region)
    ids = session.client("identitystore", endpoint_url=endpoint, region_name=region)
    inst = sso.list_instances()["Instances"][0]
    instance_arn, store = inst["InstanceArn"], inst["IdentityStoreId"]
    user_ids, group_ids = {}, {}
    for email in users:
        given = email.split("@")[0]
        user_ids[email] = ids.create_user(
            IdentityStoreId=store, UserName=email, DisplayName=given.title(),
            Name={"GivenName": given.title(), "FamilyName": "Lab"},
            Emails=[{"Value": email, "Type": "work", "Primary": True}])["UserId"]
    for g, members in groups.items():
        gid = ids.create_group(IdentityStoreId=store, DisplayName=g)["GroupId"]
        group_ids[g] = gid
        for m in members:
            ids.create_group_membership(IdentityStoreId=store, GroupId=gid, MemberId={"UserId": user_ids[m]})
    out = {"instance_arn": instance_arn, "identity_store_id": store, "permission_sets": {}}
    for name, duration, spec, holders in sets:
        ps = sso.create_permission_set(Name=name, InstanceArn=instance_arn, SessionDuration=duration,
                                       Description="lab: %s" % name)["PermissionSet"]
        arn = ps["PermissionSetArn"]
        for m in spec["managed"]:
            sso.attach_managed_policy_to_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn,
                                                        ManagedPolicyArn=m)
        if spec["inline"]:
            sso.put_inline_policy_to_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn,
                                                    InlinePolicy=json.dumps(spec["inline"]))
        for kind, who in holders:
            pid = group_ids[who] if kind == "GROUP" else user_ids[who]
            sso.create_account_assignment(InstanceArn=instance_arn, TargetId=account, TargetType="AWS_ACCOUNT",
                                          PermissionSetArn=arn, PrincipalType=kind, PrincipalId=pid)
        got = sso.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)["PermissionSet"]
        if got.get("SessionDuration") != duration:
            raise SystemExit("permission set %s: session duration %r did not round-trip" % (name, got.get("SessionDuration")))
        out["permission_sets"][name] = {"arn": arn, "session_duration": duration, "holders": holders}
    return out


VIOLATIONS_ACCOUNT = "210987654321"
# An account that has nothing but the DPO's role: no trail at all.
BARE_ACCOUNT = "109876543210"


def assumed(endpoint, region, account):
    """A session acting in `account` (moto maps OrganizationAccountAccessRole there)."""
    base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name=region)
    creds = base.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account,
        RoleSessionName="seed-violations")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], region_name=region)


def dpo_role(session, endpoint, region):
    """The DPO's SSO role, so that dora can sign in to the account."""
    iam = session.client("iam", endpoint_url=endpoint)
    iam.create_saml_provider(SAMLMetadataDocument=SAML_METADATA, Name=SAML_PROVIDER)
    role = sso_role_name("LtopsDPO")
    iam.create_role(Path=SSO_PATH_TMPL.format(region=region), RoleName=role,
                    AssumeRolePolicyDocument=json.dumps(trust_policy()), MaxSessionDuration=3600)
    iam.put_role_policy(RoleName=role, PolicyName="AwsSSOInlinePolicy", PolicyDocument=json.dumps(POLICY_DPO))


def seed_bare(endpoint, region, account):
    """An account with only the DPO's role: `cloudtrail.enabled` must say there is no trail."""
    dpo_role(assumed(endpoint, region, account), endpoint, region)
    return {"account_id": account, "violations": [
        {"check": "cloudtrail.enabled", "resource": "cloudtrail of account %s" % account,
         "what": "no trail at all"}]}


def seed_violations(endpoint, region, account):
    """A second account with one deliberate violation per automated AWS check, every
    resource otherwise compliant, so that `ltops tom check` must report exactly these."""
    session = assumed(endpoint, region, account)
    iam = session.client("iam", endpoint_url=endpoint)
    got = session.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
    if got != account:
        raise SystemExit("assumed credentials act in %s, not %s" % (got, account))
    out = {"account_id": account, "region": region, "violations": []}

    def v(check, resource, what):
        out["violations"].append({"check": check, "resource": resource, "what": what})

    # The DPO's SSO role, so that dora can sign in here (and nothing else SSO-provisioned).
    try:
        dpo_role(session, endpoint, region)
    except iam.exceptions.EntityAlreadyExistsException:
        log("violations account %s is already seeded" % account)
        out["already_seeded"] = True
        return out

    # IAM Identity Center: the DPO's set, and a break-glass set with a 12 h session.
    readonly = {"managed": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "inline": None}
    out["identity_center"] = seed_identity_center(session, endpoint, account, [
        ("LtopsDPO", "PT1H", PERMISSION_SETS["LtopsDPO"], [("USER", "dora@leadtributor.cloud")]),
        ("LtopsBreakGlass", "PT12H", readonly, []),
    ], users=["dora@leadtributor.cloud"], groups={}, region=region)
    v("sso.session_duration", out["identity_center"]["permission_sets"]["LtopsBreakGlass"]["arn"],
      "permission set with a 12 h session")

    # Password policy: compliant but for the length.
    pp = dict(PASSWORD_POLICY, MinimumPasswordLength=8)
    iam.update_account_password_policy(**pp)
    v("iam.password_policy", "arn:aws:iam::%s:account-password-policy" % account, "minimum length 8")

    # Three people with full access through a group.
    iam.create_group(GroupName="ops-admins", Path="/people/")
    iam.attach_group_policy(GroupName="ops-admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    for name in ("ann", "ben", "cem"):
        iam.create_user(UserName=name, Path="/people/")
        iam.add_user_to_group(GroupName="ops-admins", UserName=name)
    v("iam.full_access_humans", "arn:aws:iam::%s:root (full access)" % account, "3 admins via group ops-admins")

    # A person with a console password, a person with a long-lived access key.
    eve = iam.create_user(UserName="eve", Path="/people/")["User"]
    iam.create_login_profile(UserName="eve", Password="Lab-only-Passw0rd-not-secret!")
    v("iam.no_human_user_credentials", eve["Arn"], "console password")
    fred = iam.create_user(UserName="fred", Path="/people/")["User"]
    iam.create_access_key(UserName="fred")
    v("iam.no_human_user_credentials", fred["Arn"], "human with an access key")

    # RDS: a compliant template, one deviation per instance.
    def rds_in(r):
        return session.client("rds", endpoint_url=endpoint, region_name=r)

    def kms_key(r):
        k = session.client("kms", endpoint_url=endpoint, region_name=r)
        md = k.create_key(Description="violations RDS key")["KeyMetadata"]
        k.enable_key_rotation(KeyId=md["KeyId"])
        return md["Arn"]

    def pg(r, name, force_ssl):
        c = rds_in(r)
        c.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres16",
                                    Description="violations")
        c.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": force_ssl, "ApplyMethod": "pending-reboot"}])

    keys = {r: kms_key(r) for r in (region, "eu-west-2", "ap-south-1")}
    pg(region, "v-postgres16", "1")
    pg("eu-west-2", "v-postgres16", "1")
    pg("ap-south-1", "v-postgres16", "1")
    pg(region, "v-nossl", "0")

    def instance(ident, r=region, **over):
        args = dict(
            DBInstanceIdentifier=ident, Engine="postgres", EngineVersion="16.4",
            DBInstanceClass="db.m6g.large", AllocatedStorage=20, MasterUsername="platform_admin",
            MasterUserPassword="Lab-only-Passw0rd-not-secret", MultiAZ=True,
            DBParameterGroupName="v-postgres16", StorageEncrypted=True, KmsKeyId=keys[r],
            BackupRetentionPeriod=35, DeletionProtection=True, EnableIAMDatabaseAuthentication=True,
            EnableCloudwatchLogsExports=["postgresql"], PubliclyAccessible=False)
        args.update(over)
        args = {k: val for k, val in args.items() if val is not None}
        return rds_in(r).create_db_instance(**args)["DBInstance"]["DBInstanceArn"]

    v("rds.region_in_eea", instance("v-london", r="eu-west-2"), "in London (eu-west-2)")
    # A region no list ever named: found because the regions are discovered.
    v("rds.region_in_eea", instance("v-mumbai", r="ap-south-1"), "in Mumbai (ap-south-1)")
    v("rds.backup_retention", instance("v-retention7", BackupRetentionPeriod=7), "7-day retention")
    v("rds.encryption_cmk", instance("v-unencrypted", StorageEncrypted=False, KmsKeyId=None), "unencrypted")
    v("rds.force_ssl", instance("v-nossl", DBParameterGroupName="v-nossl"), "rds.force_ssl 0")
    v("rds.not_public", instance("v-public", PubliclyAccessible=True), "publicly accessible")
    v("rds.deletion_protection", instance("v-nodelprot", DeletionProtection=False), "no deletion protection")
    v("rds.high_availability", instance("v-singleaz", MultiAZ=False), "single AZ")
    v("rds.iam_auth", instance("v-noiamauth", EnableIAMDatabaseAuthentication=False), "IAM auth off")
    v("rds.log_exports", instance("v-nologs", EnableCloudwatchLogsExports=[]), "no log exports")

    # Monitoring: three production databases — one alarmed into a subscribed topic (passes),
    # one without any alarm, one whose alarm goes to a topic nobody subscribes to.
    prod = [{"Key": "environment", "Value": "prod"}]
    topic = alerting(session, endpoint, region, "v-alerts")
    void = alerting(session, endpoint, region, "v-void", subscribed=False)
    instance("v-alarmed", Tags=prod)
    db_alarm(session, endpoint, region, "v-alarmed-cpu", "DBInstanceIdentifier", "v-alarmed", topic)
    v("cloudwatch.alarms", instance("v-noalarm", Tags=prod), "production database without alarms")
    v("cloudwatch.alarms", instance("v-alarm-nosub", Tags=prod), "alarm into a topic without subscription")
    db_alarm(session, endpoint, region, "v-alarm-nosub-cpu", "DBInstanceIdentifier", "v-alarm-nosub", void)

    # An Aurora cluster with a single member: compliant but for availability.
    c = rds_in(region)
    c.create_db_cluster_parameter_group(DBClusterParameterGroupName="v-aurora16",
                                        DBParameterGroupFamily="aurora-postgresql16", Description="violations")
    c.modify_db_cluster_parameter_group(DBClusterParameterGroupName="v-aurora16", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    cl = c.create_db_cluster(
        DBClusterIdentifier="v-cluster-single", Engine="aurora-postgresql", EngineVersion="16.4",
        MasterUsername="platform_admin", MasterUserPassword="Lab-only-Passw0rd-not-secret",
        DBClusterParameterGroupName="v-aurora16", StorageEncrypted=True, KmsKeyId=keys[region],
        BackupRetentionPeriod=35, DeletionProtection=True, EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=["postgresql"])["DBCluster"]
    c.create_db_instance(DBInstanceIdentifier="v-cluster-single-1", DBClusterIdentifier="v-cluster-single",
                         Engine="aurora-postgresql", DBInstanceClass="db.r6g.large",
                         AvailabilityZone=region + "a", PubliclyAccessible=False)
    v("rds.high_availability", cl["DBClusterArn"], "cluster with one member")

    # Snapshots. moto takes an automated snapshot of every new instance: London's is
    # outside the allowed regions, the unencrypted instance's is unencrypted.
    for ident, r, check, what in (
            ("v-london", "eu-west-2", "snapshot.region", "automated snapshot in London"),
            ("v-mumbai", "ap-south-1", "snapshot.region", "automated snapshot in Mumbai"),
            ("v-unencrypted", region, "snapshot.encryption", "unencrypted automated snapshot")):
        for snap in rds_in(r).describe_db_snapshots(DBInstanceIdentifier=ident)["DBSnapshots"]:
            v(check, snap["DBSnapshotArn"], what)
    manual = rds_in(region)
    pub = manual.create_db_snapshot(DBSnapshotIdentifier="v-public-snap",
                                    DBInstanceIdentifier="v-retention7")["DBSnapshot"]
    manual.modify_db_snapshot_attribute(DBSnapshotIdentifier="v-public-snap", AttributeName="restore",
                                        ValuesToAdd=["all"])
    v("snapshot.not_public", pub["DBSnapshotArn"], "public manual snapshot")
    shared = manual.create_db_snapshot(DBSnapshotIdentifier="v-shared-snap",
                                       DBInstanceIdentifier="v-retention7")["DBSnapshot"]
    manual.modify_db_snapshot_attribute(DBSnapshotIdentifier="v-shared-snap", AttributeName="restore",
                                        ValuesToAdd=["999999999999"])
    v("snapshot.shared", shared["DBSnapshotArn"], "shared with a foreign account")
    # A copy to us-east-1, encrypted with a rotated customer key there: only its region is wrong.
    src = manual.create_db_snapshot(DBSnapshotIdentifier="v-copy-src",
                                    DBInstanceIdentifier="v-retention7")["DBSnapshot"]
    copy = rds_in("us-east-1").copy_db_snapshot(
        SourceDBSnapshotIdentifier=src["DBSnapshotArn"], TargetDBSnapshotIdentifier="v-copy-us",
        KmsKeyId=kms_key("us-east-1"), SourceRegion=region)["DBSnapshot"]
    v("snapshot.region", copy["DBSnapshotArn"], "manual snapshot copied to us-east-1")

    # Buckets: each compliant but for one measure; the trail lacks log file validation.
    b = "lt-violations-%s" % account
    v("s3.bucket_region", secure_bucket(session, endpoint, b + "-london", "eu-west-2", keys["eu-west-2"]),
      "bucket in London")
    v("s3.default_encryption", secure_bucket(session, endpoint, b + "-plain", region, keys[region],
                                             encryption=False), "no default encryption")
    v("s3.public_access_block", secure_bucket(session, endpoint, b + "-open", region, keys[region],
                                              block=False), "no Block Public Access")
    v("s3.tls_only", secure_bucket(session, endpoint, b + "-http", region, keys[region], tls=False),
      "policy does not deny plain HTTP")
    # No account-level Block Public Access here (the compliant account has it).
    v("s3.public_access_block", "s3 account %s (Block Public Access)" % account,
      "no account-level Block Public Access")
    secure_bucket(session, endpoint, b + "-trail", region, keys[region])
    v("cloudtrail.enabled", trail(session, endpoint, region, "v-trail", b + "-trail", validation=False),
      "trail without log file validation")
    out["bare"] = seed_bare(endpoint, region, BARE_ACCOUNT)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5000")
    p.add_argument("--region", default="eu-central-1")
    p.add_argument("--scenario", choices=["compliant", "violations"], default="compliant",
                   help="compliant: the lab account (default); violations: a second account with one "
                        "deliberate violation per automated check of `ltops tom check`")
    p.add_argument("--account", default=VIOLATIONS_ACCOUNT,
                   help="the account of the violations scenario (default %(default)s)")
    args = p.parse_args(argv)
    # use only the static moto test keys, whatever the surrounding environment says
    for k in list(os.environ):
        if k.startswith("AWS_ENDPOINT_URL") or k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                                                      "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            del os.environ[k]
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    if args.scenario == "violations":
        if args.account == ACCOUNT:
            raise SystemExit("the violations scenario needs an account other than %s" % ACCOUNT)
        out = seed_violations(args.endpoint, args.region, args.account)
    else:
        out = seed(args.endpoint, args.region)
    json.dump(out, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()
    log("done")


if __name__ == "__main__":
    main()
