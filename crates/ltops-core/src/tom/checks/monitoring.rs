//! TOM §7 "Laufende automatische Überwachung … und proaktive Benachrichtigung im
//! Fehlerfall": every production database (selected by a tag) has CloudWatch
//! alarms whose actions notify an SNS topic that somebody subscribes to — an
//! alarm nobody receives is no notification.
//!
//! CloudWatch and SNS are read with signed Query calls (`aws::query`): the
//! current aws-sdk-cloudwatch speaks only CBOR, and SNS is one call.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use serde::Deserialize;

use super::super::{Finding, Text, parallel};
use super::SourceError;
use super::rds::{DbCluster, DbInstance, Inventory, cluster_level, label_cluster, label_instance};
use crate::aws::query::{self, Node, QueryClient};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmParams {
    /// The tag that marks a production database, e.g. `environment`.
    pub production_tag: String,
    /// Its values that mean production, e.g. `[prod, production]`.
    pub production_values: Vec<String>,
    /// How many notifying alarms each production database needs at least.
    #[serde(default = "one")]
    pub min_alarms: usize,
}

fn one() -> usize {
    1
}

/// A metric alarm as far as the check needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alarm {
    pub name: String,
    pub actions_enabled: bool,
    pub actions: Vec<String>,
    /// (name, value) of every dimension, also those of metric-math alarms.
    pub dimensions: Vec<(String, String)>,
}

/// The alarms of each region that has databases, and the confirmed
/// subscriptions of every SNS topic an alarm notifies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Monitoring {
    pub regions: BTreeMap<String, Result<Vec<Alarm>, SourceError>>,
    pub topics: BTreeMap<String, Result<usize, SourceError>>,
}

/// Reads the alarms in every region of `inv` with a database, then each topic
/// they notify, once.
pub async fn fetch(q: &QueryClient, sdk: &SdkConfig, inv: &Inventory, limit: usize) -> Monitoring {
    let regions: BTreeSet<String> = inv
        .instances()
        .map(|i| i.region.clone())
        .chain(inv.clusters().map(|c| c.region.clone()))
        .collect();
    let regions: BTreeMap<_, _> = parallel::map(regions, limit, |region| async move {
        let alarms = alarms(q, sdk, &region).await;
        (region, alarms)
    })
    .await
    .into_iter()
    .collect();
    let topics: BTreeSet<String> = regions
        .values()
        .filter_map(|r| r.as_ref().ok())
        .flatten()
        .flat_map(|a| a.actions.iter())
        .filter(|a| a.starts_with("arn:aws:sns:"))
        .cloned()
        .collect();
    let topics = parallel::map(topics, limit, |topic| async move {
        let n = subscribers(q, sdk, &topic).await;
        (topic, n)
    })
    .await
    .into_iter()
    .collect();
    Monitoring { regions, topics }
}

async fn alarms(q: &QueryClient, sdk: &SdkConfig, region: &str) -> Result<Vec<Alarm>, SourceError> {
    let op = format!("cloudwatch:DescribeAlarms in {region}");
    let pages = q
        .call_all(
            sdk,
            query::CLOUDWATCH,
            region,
            "DescribeAlarms",
            &[("AlarmTypes.member.1", "MetricAlarm")],
            &op,
        )
        .await?;
    let mut out = Vec::new();
    for page in &pages {
        let Some(list) = page.find("MetricAlarms") else {
            continue;
        };
        out.extend(list.all("member").map(alarm_of));
    }
    Ok(out)
}

fn alarm_of(m: &Node) -> Alarm {
    let mut dimensions = Vec::new();
    collect_dimensions(m, &mut dimensions);
    Alarm {
        name: m.text_of("AlarmName").unwrap_or_default().to_owned(),
        actions_enabled: m.text_of("ActionsEnabled") != Some("false"),
        actions: m.list("AlarmActions"),
        dimensions,
    }
}

/// Every `Dimensions/member` below `n` (a metric-math alarm keeps them in
/// `Metrics/member/MetricStat/Metric`).
fn collect_dimensions(n: &Node, out: &mut Vec<(String, String)>) {
    for c in &n.children {
        if c.name == "Dimensions" {
            for d in c.all("member") {
                if let (Some(k), Some(v)) = (d.text_of("Name"), d.text_of("Value")) {
                    out.push((k.to_owned(), v.to_owned()));
                }
            }
        } else {
            collect_dimensions(c, out);
        }
    }
}

/// Confirmed subscriptions of `topic` (pending ones notify nobody yet), asked
/// in the topic's own region.
async fn subscribers(q: &QueryClient, sdk: &SdkConfig, topic: &str) -> Result<usize, SourceError> {
    let region = topic.split(':').nth(3).unwrap_or_default();
    let op = format!("sns:ListSubscriptionsByTopic {topic}");
    let pages = q
        .call_all(
            sdk,
            query::SNS,
            region,
            "ListSubscriptionsByTopic",
            &[("TopicArn", topic)],
            &op,
        )
        .await?;
    Ok(pages
        .iter()
        .filter_map(|p| p.find("Subscriptions"))
        .flat_map(|s| s.all("member"))
        .filter(|m| {
            m.text_of("SubscriptionArn")
                .is_some_and(|a| a.starts_with("arn:"))
        })
        .count())
}

fn is_production(p: &AlarmParams, tags: &[(String, String)]) -> bool {
    tags.iter()
        .any(|(k, v)| *k == p.production_tag && p.production_values.contains(v))
}

/// What the alarms on one database (by its dimension) amount to.
fn verdict(
    check: &str,
    label: String,
    p: &AlarmParams,
    mon: &Monitoring,
    region: &str,
    dimension: (&str, &str),
    tags: &[(String, String)],
) -> Finding {
    if !is_production(p, tags) {
        return Finding::na(
            check,
            label,
            text!(
                "not a production database (no tag {}={})",
                "keine Produktionsdatenbank (kein Tag {}={})",
                p.production_tag,
                p.production_values.join("|")
            ),
        );
    }
    let alarms = match mon.regions.get(region) {
        None => {
            return Finding::error(
                check,
                label,
                text!(
                    "the alarms of {} were not read",
                    "die Alarme in {} wurden nicht gelesen",
                    region
                ),
            );
        }
        Some(Err(e)) => return Finding::error(check, label, Text::same(e.to_string())),
        Some(Ok(a)) => a,
    };
    let on_db: Vec<&Alarm> = alarms
        .iter()
        .filter(|a| {
            a.dimensions
                .iter()
                .any(|(k, v)| k == dimension.0 && v == dimension.1)
        })
        .collect();
    if on_db.is_empty() {
        return Finding::fail(
            check,
            label,
            text!(
                "no CloudWatch alarm on this database ({}={}): a failure notifies nobody",
                "kein CloudWatch-Alarm für diese Datenbank ({}={}): bei einem Fehler wird niemand benachrichtigt",
                dimension.0,
                dimension.1
            ),
        );
    }
    let mut notifying = Vec::new();
    let mut problems = Vec::new();
    for a in &on_db {
        match notifies(a, mon) {
            Ok(topic) => notifying.push(format!("{} → {topic}", a.name)),
            Err(Problem::Error(e)) => return Finding::error(check, label, Text::same(e)),
            Err(Problem::Lacks(t)) => problems.push(Text {
                en: format!("{}: {}", a.name, t.en),
                de: format!("{}: {}", a.name, t.de),
            }),
        }
    }
    let ok = notifying.len() >= p.min_alarms;
    if ok {
        return Finding::pass(
            check,
            label,
            text!(
                "{} alarm(s) notify a subscribed SNS topic: {}",
                "{} Alarm(e) benachrichtigen ein abonniertes SNS-Thema: {}",
                notifying.len(),
                notifying.join(", ")
            ),
        );
    }
    let head = text!(
        "{} of {} alarm(s) notify a subscribed SNS topic (required: at least {})",
        "{} von {} Alarm(en) benachrichtigen ein abonniertes SNS-Thema (verlangt: mindestens {})",
        notifying.len(),
        on_db.len(),
        p.min_alarms
    );
    Finding::fail(
        check,
        label,
        head.join("; ", &Text::join_all(&problems, "; ")),
    )
}

enum Problem {
    Error(String),
    Lacks(Text),
}

/// The first subscribed SNS topic the alarm notifies, or why there is none.
fn notifies(a: &Alarm, mon: &Monitoring) -> Result<String, Problem> {
    if !a.actions_enabled {
        return Err(Problem::Lacks(text!(
            "actions disabled",
            "Aktionen abgeschaltet"
        )));
    }
    let topics: Vec<&String> = a
        .actions
        .iter()
        .filter(|x| x.starts_with("arn:aws:sns:"))
        .collect();
    if topics.is_empty() {
        return Err(Problem::Lacks(text!(
            "no SNS topic among its actions",
            "kein SNS-Thema unter seinen Aktionen"
        )));
    }
    let mut empty = Vec::new();
    for t in topics {
        match mon.topics.get(t) {
            Some(Ok(n)) if *n > 0 => return Ok(t.clone()),
            Some(Ok(_)) => empty.push(t.as_str()),
            Some(Err(e)) => return Err(Problem::Error(e.to_string())),
            None => return Err(Problem::Error(format!("topic {t} was not read"))),
        }
    }
    Err(Problem::Lacks(text!(
        "topic {} has no confirmed subscription",
        "Thema {} hat kein bestätigtes Abonnement",
        empty.join(", ")
    )))
}

/// Per production database: enough alarms that reach a subscribed topic.
/// Aurora members are checked through their cluster.
pub fn alarms_notify(
    check: &str,
    p: &AlarmParams,
    inv: &Inventory,
    mon: &Monitoring,
) -> Vec<Finding> {
    cluster_level(
        check,
        inv,
        |i: &DbInstance| {
            verdict(
                check,
                label_instance(i),
                p,
                mon,
                &i.region,
                ("DBInstanceIdentifier", &i.id),
                &i.tags,
            )
        },
        |c: &DbCluster| {
            verdict(
                check,
                label_cluster(c),
                p,
                mon,
                &c.region,
                ("DBClusterIdentifier", &c.id),
                &c.tags,
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tom::Status;
    use crate::tom::checks::rds::RegionScan;

    fn params() -> AlarmParams {
        AlarmParams {
            production_tag: "environment".into(),
            production_values: vec!["prod".into()],
            min_alarms: 1,
        }
    }

    fn db(id: &str, prod: bool) -> DbInstance {
        DbInstance {
            id: id.into(),
            region: "eu-central-1".into(),
            tags: if prod {
                vec![("environment".into(), "prod".into())]
            } else {
                vec![]
            },
            ..Default::default()
        }
    }

    #[test]
    fn only_alarms_reaching_a_subscribed_topic_count() {
        let inv = Inventory {
            regions: vec![RegionScan {
                region: "eu-central-1".into(),
                result: Ok((
                    vec![
                        db("ok", true),
                        db("quiet", true),
                        db("nobody", true),
                        db("dev", false),
                    ],
                    vec![],
                )),
            }],
        };
        let alarm = |name: &str, db: &str, topic: &str| Alarm {
            name: name.into(),
            actions_enabled: true,
            actions: vec![topic.into()],
            dimensions: vec![("DBInstanceIdentifier".into(), db.into())],
        };
        let subscribed = "arn:aws:sns:eu-central-1:1:alerts";
        let empty = "arn:aws:sns:eu-central-1:1:void";
        let mon = Monitoring {
            regions: BTreeMap::from([(
                "eu-central-1".into(),
                Ok(vec![
                    alarm("cpu", "ok", subscribed),
                    alarm("cpu2", "nobody", empty),
                ]),
            )]),
            topics: BTreeMap::from([(subscribed.into(), Ok(1)), (empty.into(), Ok(0))]),
        };
        let f = alarms_notify("m", &params(), &inv, &mon);
        let st: Vec<Status> = f.iter().map(|f| f.status).collect();
        assert_eq!(
            st,
            [
                Status::Pass,
                Status::Fail,
                Status::Fail,
                Status::NotApplicable
            ]
        );
        assert!(f[1].evidence.contains("no CloudWatch alarm"), "{f:?}");
        assert!(f[1].evidence_de.contains("kein CloudWatch-Alarm"), "{f:?}");
        assert!(f[2].evidence.contains("no confirmed subscription"), "{f:?}");
    }

    #[test]
    fn dimensions_of_metric_math_alarms_are_found() {
        let xml = "<member><AlarmName>a</AlarmName><ActionsEnabled>true</ActionsEnabled><AlarmActions><member>arn:aws:sns:x:1:t</member></AlarmActions><Metrics><member><MetricStat><Metric><Dimensions><member><Name>DBClusterIdentifier</Name><Value>c</Value></member></Dimensions></Metric></MetricStat></member></Metrics></member>";
        let a = alarm_of(&Node::parse(xml).unwrap());
        assert_eq!(a.dimensions, [("DBClusterIdentifier".into(), "c".into())]);
        assert_eq!(a.actions, ["arn:aws:sns:x:1:t"]);
    }
}
