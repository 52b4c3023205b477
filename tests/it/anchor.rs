//! The audit log's write-once copy in S3 (moto: Object Lock in compliance mode,
//! conditional puts, KMS ECC signing): `audit init` checks the bucket and key,
//! every command ships its events, and `audit verify` finds a chain that its
//! owner rewrote and re-hashed, a rolled-back tail, forged checkpoints, and
//! names what is not anchored yet.

use serde_json::Value;

use crate::support::{Home, anchor_peers, assert_fails, boto, json_stdout, lab};
use ltops::audit::event::Event;

pub fn anchor_yaml(bucket: &str, key: &str) -> String {
    format!("audit:\n  anchor:\n    bucket: {bucket}\n    kms_key: {key}\n")
}

/// A logged-in home whose file-store log is anchored; `n` recorded actions.
fn anchored_home(name: &str, n: usize) -> (Home, String, String) {
    let (bucket, key) = anchor_peers(name, "eu-central-1", Some("COMPLIANCE"));
    let home = lab().home();
    home.login();
    home.configure(&anchor_yaml(&bucket, &key));
    home.audit("init").yes().ok();
    for i in 0..n {
        record(&home, &format!("INC-{i}"));
    }
    (home, bucket, key)
}

fn record(home: &Home, reference: &str) {
    home.audit("record")
        .yes()
        .incident(reference)
        .action("manual.console.rds-modify")
        .ok();
}

fn verify(home: &Home) -> (Option<i32>, Value, String) {
    let out = home.audit("verify").json().run();
    (
        out.status.code(),
        json_stdout(&out),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Rewrites the log as its owner could: change one event, re-hash the chain
/// from there on, and write the head beside it again.
fn rewrite_and_rehash(home: &Home, seq: u64) {
    let text = std::fs::read_to_string(home.audit_file()).unwrap();
    let mut prev = String::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        let mut e: Event = serde_json::from_str(line).unwrap();
        if e.seq == seq {
            e.content = serde_json::json!({ "rewritten": true });
        }
        if e.seq >= seq {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
        }
        prev = e.hash.clone();
        lines.push(e.to_line());
    }
    std::fs::write(home.audit_file(), lines.join("\n") + "\n").unwrap();
    let last: Event = serde_json::from_str(lines.last().unwrap()).unwrap();
    std::fs::write(
        home.path().join(".local/state/ltops/audit.jsonl.head"),
        serde_json::json!({ "seq": last.seq, "hash": last.hash }).to_string(),
    )
    .unwrap();
}

#[test]
fn every_command_ships_and_verify_agrees() {
    let (home, bucket, _) = anchored_home("ok", 2);
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(0), "{v}\n{err}");
    assert_eq!(v["intact"], true);
    // init + 2 records = 6 events, anchored in 3 shipments.
    assert_eq!(v["anchor"]["anchored_through"], 6, "{v}");
    assert_eq!(v["anchor"]["checkpoints"], 3);
    assert_eq!(v["anchor"]["unanchored"], serde_json::json!([]));
    // Anchored objects can be neither replaced nor deleted.
    let listed = boto(&format!(
        "r=s3.list_objects_v2(Bucket={bucket:?}, Prefix='segments/')\nprint(r['Contents'][0]['Key'])"
    ));
    let refused = boto(&format!(
        "import botocore\ntry:\n  s3.put_object(Bucket={bucket:?}, Key={listed:?}, Body=b'x', IfNoneMatch='*')\n  print('overwritten')\nexcept botocore.exceptions.ClientError as e:\n  print(e.response['Error']['Code'])\nv=s3.list_object_versions(Bucket={bucket:?}, Prefix={listed:?})['Versions'][0]['VersionId']\ntry:\n  s3.delete_object(Bucket={bucket:?}, Key={listed:?}, VersionId=v)\n  print('deleted')\nexcept botocore.exceptions.ClientError as e:\n  print(e.response['Error']['Code'])"
    ));
    assert!(
        !refused.contains("overwritten") && !refused.contains("deleted"),
        "{refused}"
    );
}

#[test]
fn a_rewritten_and_rehashed_chain_is_found_by_the_anchor() {
    let (home, _, _) = anchored_home("rewrite", 2);
    rewrite_and_rehash(&home, 3);
    // The chain alone is consistent again: only the anchor can tell.
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(1), "{v}\n{err}");
    assert_eq!(v["intact"], false);
    // The checkpoints at 4 and 6 disagree; their segments name the event
    // that was rewritten and the ones only re-hashed after it.
    assert_eq!(v["anchor"]["diverged"], serde_json::json!([4, 6]), "{v}");
    assert_eq!(v["anchor"]["rewritten"], serde_json::json!([3]), "{v}");
    assert_eq!(v["anchor"]["rehashed"], serde_json::json!([4, 5, 6]), "{v}");
    assert!(err.contains("REWRITTEN: seq 3 differ"), "{err}");
    assert!(err.contains("RE-HASHED: seq 4-6"), "{err}");
    // And nothing more is shipped from a log that disagrees with its anchor.
    let out = home
        .audit("record")
        .yes()
        .incident("INC-X")
        .action("manual.x")
        .run();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("differs from its anchored copy at seq"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_rolled_back_tail_is_found() {
    let (home, _, _) = anchored_home("rollback", 2);
    let text = std::fs::read_to_string(home.audit_file()).unwrap();
    let kept: Vec<&str> = text.lines().take(4).collect();
    std::fs::write(home.audit_file(), kept.join("\n") + "\n").unwrap();
    let _ = std::fs::remove_file(home.path().join(".local/state/ltops/audit.jsonl.head"));
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(1), "{v}\n{err}");
    assert_eq!(v["anchor"]["missing"], serde_json::json!([5, 6]), "{v}");
    assert!(err.contains("ROLLED BACK: anchored seq 5-6"), "{err}");
}

#[test]
fn forged_checkpoints_are_detected() {
    let (home, bucket, _) = anchored_home("forged", 1);
    // A checkpoint signed by another key, and one whose signature is garbage.
    let other = boto(
        "print(kms.create_key(KeySpec='ECC_NIST_P256', KeyUsage='SIGN_VERIFY')['KeyMetadata']['KeyId'])",
    );
    // Each object's name is its checkpoint: seq, first seq, hash, prev hash,
    // segment digest, time, signer and signature (base64url).
    boto(&format!(
        "import base64, hashlib\nB={bucket:?}\nu=lambda b: base64.urlsafe_b64encode(b).decode().rstrip('=')\n\
         def put(seq, key, garbage=False):\n\
         \x20   cp={{'first_seq': seq, 'seq': seq, 'hash': 'f'*64, 'prev_hash': 'e'*64, 'at': '2026-12-01T00:00:00Z', 'by': 'mallory', 'segment_sha256': hashlib.sha256(b'').hexdigest()}}\n\
         \x20   msg=json.dumps(cp, separators=(',', ':')).encode()\n\
         \x20   sig=b'not a signature' if garbage else kms.sign(KeyId=key, Message=msg, MessageType='RAW', SigningAlgorithm='ECDSA_SHA_256')['Signature']\n\
         \x20   name='%020d.%020d.%s.%s.%s.20261201T000000Z.%s.%s.jsonl' % (seq, seq, cp['hash'], cp['prev_hash'], cp['segment_sha256'], u(b'mallory'), u(sig))\n\
         \x20   s3.put_object(Bucket=B, Key='segments/'+name, Body=b'')\n\
         put(5, {other:?})\nput(6, {other:?}, garbage=True)\n\
         s3.put_object(Bucket=B, Key='segments/junk.jsonl', Body=b'')"
    ));
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(1), "{v}\n{err}");
    let bad = v["anchor"]["bad_checkpoints"].to_string();
    assert!(
        bad.contains("seq 5: the signature does not verify"),
        "{bad}"
    );
    assert!(
        bad.contains("seq 6: the signature does not verify"),
        "{bad}"
    );
    assert!(bad.contains("junk.jsonl: not a checkpoint's name"), "{bad}");
    // The forged objects are not trusted as the newest checkpoint either: the
    // next command ships after the real one.
    record(&home, "INC-AFTER");
    let (_, v, err) = verify(&home);
    assert_eq!(v["anchor"]["anchored_through"], 6, "{v}\n{err}");
    assert_eq!(v["anchor"]["unanchored"], serde_json::json!([]), "{v}");
}

#[test]
fn an_unreachable_anchor_loses_nothing_and_is_caught_up() {
    let (home, _, _) = anchored_home("catchup", 1);
    let out = home
        .audit("record")
        .yes()
        .incident("INC-OFFLINE")
        .action("manual.x")
        .env("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
        .run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "the local log is the record: the command runs"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not be anchored"), "{err}");
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(0), "not yet anchored is not broken: {v}\n{err}");
    assert_eq!(v["anchor"]["unanchored"], serde_json::json!([5, 6]), "{v}");
    assert!(err.contains("not yet anchored: seq 5-6"), "{err}");
    // The next command ships what was missing.
    record(&home, "INC-BACK");
    let (code, v, _) = verify(&home);
    assert_eq!(code, Some(0));
    assert_eq!(v["anchor"]["anchored_through"], 8, "{v}");
    assert_eq!(v["anchor"]["unanchored"], serde_json::json!([]));
}

#[test]
fn init_refuses_a_bucket_that_is_not_write_once_or_outside_the_eea() {
    let home = lab().home();
    home.login();
    let (bucket, key) = anchor_peers("nolock", "eu-central-1", None);
    home.configure(&anchor_yaml(&bucket, &key));
    assert_fails(&home.audit("init").yes().run(), 2, "Object Lock");
    let (bucket, key) = anchor_peers("gov", "eu-central-1", Some("GOVERNANCE"));
    home.configure(&anchor_yaml(&bucket, &key));
    assert_fails(&home.audit("init").yes().run(), 2, "not compliance mode");
    let (bucket, key) = anchor_peers("london", "eu-west-2", Some("COMPLIANCE"));
    home.configure(&anchor_yaml(&bucket, &key));
    assert_fails(
        &home.audit("init").yes().run(),
        2,
        "outside the allowed regions",
    );
    assert!(
        !home.audit_file().exists(),
        "a refused init records nothing"
    );
}

#[test]
fn an_evidence_file_carries_the_anchor_and_is_checked_offline() {
    let (home, _, _) = anchored_home("evidence", 2);
    let evidence = home.path().join("evidence.jsonl");
    home.audit("export").path("--out", &evidence).ok();
    // Offline: a config without any anchor, and AWS unreachable.
    let offline = lab().home();
    let verify_file = |h: &Home| {
        let out = h
            .audit("verify")
            .json()
            .path("--file", &evidence)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .run();
        (
            out.status.code(),
            json_stdout(&out),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, v, err) = verify_file(&offline);
    assert_eq!(code, Some(0), "{v}\n{err}");
    assert_eq!(v["anchor"]["checkpoints"], 3, "{v}");
    assert_eq!(v["anchor"]["anchored_through"], 6);
    // The file's owner rewrites an event, re-hashes the chain and the trailer's
    // head: the chain alone verifies, the signed checkpoints do not agree.
    let text = std::fs::read_to_string(&evidence).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut trailer: Value = serde_json::from_str(&lines.pop().unwrap()).unwrap();
    let mut prev = String::new();
    for line in lines.iter_mut() {
        let mut e: Event = serde_json::from_str(line).unwrap();
        if e.seq == 4 {
            e.content = serde_json::json!({ "rewritten": true });
        }
        if e.seq >= 4 {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
        }
        prev = e.hash.clone();
        *line = e.to_line();
    }
    let last: Event = serde_json::from_str(lines.last().unwrap()).unwrap();
    trailer["ltops_export"]["head"] = serde_json::json!({ "seq": last.seq, "hash": last.hash });
    lines.push(trailer.to_string());
    std::fs::write(&evidence, lines.join("\n") + "\n").unwrap();
    let (code, v, err) = verify_file(&offline);
    assert_eq!(code, Some(1), "{v}\n{err}");
    // Offline there are no segments: the checkpoints that disagree are named.
    assert_eq!(v["anchor"]["diverged"], serde_json::json!([4, 6]), "{v}");
    assert!(
        err.contains("DIVERGED: the local events at checkpoint seq 4, 6"),
        "{err}"
    );
}

/// The database owner disables the append-only trigger, edits an event,
/// re-hashes every event after it and enables the trigger again: the chain in
/// the database verifies on its own, the anchor does not agree.
#[test]
fn the_database_owner_rewriting_the_postgres_chain_is_found_by_the_anchor() {
    let lab = lab();
    let (bucket, key) = anchor_peers("pgowner", "eu-central-1", Some("COMPLIANCE"));
    let (home, db) = lab.home_with_db(
        "anchor_pg",
        "postgres",
        &format!(
            "audit:\n  store: postgres\n{}",
            &anchor_yaml(&bucket, &key)[7..]
        ),
    );
    home.use_db_password(&lab.superuser_password());
    home.audit("init").yes().ok();
    record(&home, "INC-1");
    record(&home, "INC-2");
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(0), "{v}\n{err}");

    let rows = lab.psql(&db, "SELECT line FROM ltops_audit.events ORDER BY seq");
    let mut prev = String::new();
    let mut sql =
        String::from("ALTER TABLE ltops_audit.events DISABLE TRIGGER events_append_only;\n");
    for line in rows.lines() {
        let mut e: Event = serde_json::from_str(line).unwrap();
        if e.seq == 3 {
            e.content = serde_json::json!({ "rewritten": true });
        }
        if e.seq >= 3 {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            sql.push_str(&format!(
                "UPDATE ltops_audit.events SET line = '{}', hash = '{}', prev_hash = '{}' WHERE seq = {};\n",
                e.to_line().replace('\'', "''"),
                e.hash,
                e.prev_hash,
                e.seq
            ));
        }
        prev = e.hash.clone();
    }
    sql.push_str("ALTER TABLE ltops_audit.events ENABLE TRIGGER events_append_only;");
    lab.psql(&db, &sql);
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(1), "{v}\n{err}");
    assert_eq!(
        v["first_break"],
        Value::Null,
        "the chain alone is consistent: {v}"
    );
    assert_eq!(v["anchor"]["rewritten"], serde_json::json!([3]), "{v}");
    assert_eq!(v["anchor"]["rehashed"], serde_json::json!([4, 5, 6]), "{v}");
}

/// The anchor's log as a restore carries it forward when the live log cannot
/// be read: every segment, checked against its signed checkpoint and against
/// the chain carried so far.
fn anchored_log(bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sdk = ltops::aws::config::load(&ltops::settings::AwsSettings {
            profile: None,
            region: Some("eu-central-1".into()),
            endpoint_url: Some(lab().moto()),
            sso_cache_dir: std::path::PathBuf::new(),
        })
        .await
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "ltops-test",
        )))
        .build();
        let cfg = ltops::settings::AnchorSection {
            bucket: bucket.into(),
            kms_key: key.into(),
            prefix: None,
            region: None,
            retention_years: None,
            allowed_regions: None,
        };
        ltops::audit::anchor::Anchor::new(&sdk, &cfg)
            .read_log()
            .await
            .map_err(|e| e.to_string())
    })
}

#[test]
fn the_anchored_log_carries_the_chain_and_refuses_a_fork() {
    let (home, bucket, key) = anchored_home("carry", 2);
    let local = std::fs::read(home.audit_file()).unwrap();
    assert_eq!(
        anchored_log(&bucket, &key).unwrap(),
        local,
        "the anchor holds the log byte for byte"
    );
    // Someone with kms:Sign (an operator) anchors a rewritten seq 5-6 beside
    // the real one: a fork, signed with the very key. It is not carried.
    let text = String::from_utf8(local).unwrap();
    let mut lines: Vec<Event> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut prev = lines[3].hash.clone();
    for e in lines.iter_mut().skip(4) {
        e.content = serde_json::json!({ "forged": true });
        e.prev_hash = prev.clone();
        e.hash = e.compute_hash();
        prev = e.hash.clone();
    }
    let body: String = lines[4..].iter().map(|e| e.to_line() + "\n").collect();
    boto(&format!(
        "import base64, hashlib\nB={bucket:?}\nbody={body:?}.encode()\nu=lambda b: base64.urlsafe_b64encode(b).decode().rstrip('=')\n\
         cp={{'first_seq': 5, 'seq': 6, 'hash': {h6:?}, 'prev_hash': {h4:?}, 'at': '2026-12-01T00:00:00Z', 'by': 'mallory', 'segment_sha256': hashlib.sha256(body).hexdigest()}}\n\
         sig=kms.sign(KeyId={key:?}, Message=json.dumps(cp, separators=(',', ':')).encode(), MessageType='RAW', SigningAlgorithm='ECDSA_SHA_256')['Signature']\n\
         name='%020d.%020d.%s.%s.%s.20261201T000000Z.%s.%s.jsonl' % (6, 5, cp['hash'], cp['prev_hash'], cp['segment_sha256'], u(b'mallory'), u(sig))\n\
         s3.put_object(Bucket=B, Key='segments/'+name, Body=body)",
        h6 = lines[5].hash,
        h4 = lines[3].hash,
    ));
    let err = anchored_log(&bucket, &key).unwrap_err();
    assert!(
        err.contains("seq 6") && (err.contains("fork") || err.contains("does not continue")),
        "{err}"
    );
    // And `audit verify` names the forged checkpoint's seq as diverged from
    // the local log, whose own chain is intact.
    let (code, v, err) = verify(&home);
    assert_eq!(code, Some(1), "{v}\n{err}");
    assert_eq!(v["anchor"]["diverged"], serde_json::json!([6]), "{v}");
}
