//! The structured forms for the common cases: set columns of rows named by key,
//! or delete rows named by key. Table and key come from the data map; values are
//! bound as parameters (a JSON object of text) and converted to the column types
//! by PostgreSQL (`jsonb_populate_record`), so no value is ever spliced into SQL.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{Capture, Form, Op, Param, Plan, Query, Refusal, TableRef, image_expr, q, qualified};
use crate::datamap::DataMap;

/// Which rows: by their single-column key, or by all columns of a composite key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    /// `--id ID` (repeatable) for tables with a one-column key.
    Ids(Vec<String>),
    /// `--key COL=VALUE` for every column of the key: one row.
    Key(Vec<(String, String)>),
}

/// `intervene set`: the new values, `None` for NULL.
pub fn plan_set(
    map: &DataMap,
    table: &str,
    rows: &Rows,
    values: &[(String, Option<String>)],
) -> Result<Plan, Refusal> {
    let k = Keyed::new(map, table, Op::Update, rows)?;
    let table = &k.table;
    if values.is_empty() {
        return Err("nothing to set: give --set COLUMN=VALUE or --set-null COLUMN".into());
    }
    let mut seen = BTreeSet::new();
    let mut new = Map::new();
    for (col, value) in values {
        check_column_name(col)?;
        if !seen.insert(col.clone()) {
            return Err(format!("column `{col}` is set twice").into());
        }
        if table.key.contains(col) {
            return Err(format!(
                "`{col}` is part of the key of `{}`: keys are not changed by interventions",
                table.name
            )
            .into());
        }
        if table.tenant_columns.contains(col) {
            return Err(format!(
                "`{col}` names the tenant: moving rows between tenants is not an intervention"
            )
            .into());
        }
        new.insert(
            col.clone(),
            value.clone().map_or(Value::Null, Value::String),
        );
    }
    let (qname, image) = (&k.qname, &k.image);
    let sets = new
        .keys()
        .map(|c| {
            format!(
                "{col} = (SELECT __ltops_new.{col} FROM jsonb_populate_record(NULL::{qname}, $1::text::jsonb) AS __ltops_new)",
                col = q(c)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let change = Query {
        sql: format!(
            "UPDATE {qname} AS t SET {sets} FROM unnest($2::text[]) AS __ltops_before(__ltops_ctid) WHERE t.ctid = __ltops_before.__ltops_ctid::tid AND {} RETURNING __ltops_before.__ltops_ctid, {image}",
            k.key_match.replace("$1", "$3")
        ),
        params: vec![
            Param::NewValues,
            Param::Ctids,
            Param::Text(k.keys_json.clone()),
        ],
    };
    let statement = format!(
        "UPDATE {} SET {} WHERE {}",
        table.name,
        new.iter()
            .map(|(k, v)| format!("{k} = {}", literal(v)))
            .collect::<Vec<_>>()
            .join(", "),
        describe_keys(&k.keys)
    );
    Ok(k.plan(Form::Set, Op::Update, statement, change, new))
}

/// `intervene delete`.
pub fn plan_delete(map: &DataMap, table: &str, rows: &Rows) -> Result<Plan, Refusal> {
    let k = Keyed::new(map, table, Op::Delete, rows)?;
    let change = Query {
        sql: format!(
            "DELETE FROM {} AS t USING unnest($1::text[]) AS __ltops_before(__ltops_ctid) WHERE t.ctid = __ltops_before.__ltops_ctid::tid AND {} RETURNING __ltops_before.__ltops_ctid, {}",
            k.qname,
            k.key_match.replace("$1", "$2"),
            k.image
        ),
        params: vec![Param::Ctids, Param::Text(k.keys_json.clone())],
    };
    let statement = format!(
        "DELETE FROM {} WHERE {}",
        k.table.name,
        describe_keys(&k.keys)
    );
    Ok(k.plan(Form::Delete, Op::Delete, statement, change, Map::new()))
}

/// The rows a structured form names, and how both forms find and lock them.
struct Keyed {
    table: TableRef,
    keys: Vec<Map<String, Value>>,
    qname: String,
    image: String,
    /// The keys as one JSON array, bound as text.
    keys_json: String,
    /// Matches `t` against the keys bound as `$1`.
    key_match: String,
}

impl Keyed {
    fn new(map: &DataMap, table: &str, op: Op, rows: &Rows) -> Result<Keyed, Refusal> {
        let table = find(map, table)?;
        table.check_op(op)?;
        let keys = key_objects(&table, rows)?;
        let qname = qualified(map, &table.name);
        let keys_json = Value::Array(keys.iter().cloned().map(Value::Object).collect()).to_string();
        let key_match = key_match(&table, &qname, "$1");
        Ok(Keyed {
            table,
            keys,
            qname,
            image: image_expr("t"),
            keys_json,
            key_match,
        })
    }

    /// The rows by key, locked by the caller before the change.
    fn capture(&self) -> Capture {
        Capture {
            select: Query {
                sql: format!(
                    "SELECT t.ctid::text, {} FROM {} AS t WHERE {}",
                    self.image, self.qname, self.key_match
                ),
                params: vec![Param::Text(self.keys_json.clone())],
            },
            lock_ref: "t".into(),
        }
    }

    fn plan(
        self,
        form: Form,
        op: Op,
        statement: String,
        change: Query,
        set_values: Map<String, Value>,
    ) -> Plan {
        Plan {
            form,
            op,
            tables: BTreeSet::from([self.table.name.clone()]),
            capture: Some(self.capture()),
            table: self.table,
            statement,
            change,
            expect: Some(self.keys),
            set_values,
        }
    }
}

pub(crate) fn find(map: &DataMap, table: &str) -> Result<TableRef, Refusal> {
    TableRef::find(map, table).ok_or_else(|| {
        Refusal::from(format!(
            "`{table}` is not a table of the data map; interventions reach only {}",
            TableRef::names(map).join(", ")
        ))
    })
}

pub(crate) fn check_column_name(c: &str) -> Result<(), Refusal> {
    let ok = !c.is_empty()
        && c.len() <= 63
        && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        && !c.starts_with(|ch: char| ch.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!("`{c}` is not a column name").into())
    }
}

/// The rows as JSON objects of key column → text value.
pub(crate) fn key_objects(
    table: &TableRef,
    rows: &Rows,
) -> Result<Vec<Map<String, Value>>, Refusal> {
    match rows {
        Rows::Ids(ids) => {
            let [col] = table.key.as_slice() else {
                return Err(format!(
                    "`{}` has the key ({}): name the row with --key COLUMN=VALUE for each of them instead of --id",
                    table.name,
                    table.key.join(", ")
                ).into());
            };
            if ids.is_empty() {
                return Err("name the rows with --id".into());
            }
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for id in ids {
                if id.is_empty() {
                    return Err("--id is empty".into());
                }
                if seen.insert(id.clone()) {
                    out.push(Map::from_iter([(col.clone(), Value::String(id.clone()))]));
                }
            }
            Ok(out)
        }
        Rows::Key(pairs) => {
            let mut m = Map::new();
            for (c, v) in pairs {
                if !table.key.contains(c) {
                    return Err(format!(
                        "`{c}` is not a key column of `{}` (its key is {})",
                        table.name,
                        table.key.join(", ")
                    )
                    .into());
                }
                if m.insert(c.clone(), Value::String(v.clone())).is_some() {
                    return Err(format!("--key {c}=… is given twice").into());
                }
            }
            let missing: Vec<&String> = table.key.iter().filter(|k| !m.contains_key(*k)).collect();
            if !missing.is_empty() {
                return Err(format!(
                    "the key of `{}` is ({}): --key is missing {}",
                    table.name,
                    table.key.join(", "),
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
                .into());
            }
            // In key order, so that images and messages read the same way.
            let ordered = table
                .key
                .iter()
                .map(|k| (k.clone(), m[k].clone()))
                .collect();
            Ok(vec![ordered])
        }
    }
}

/// `(t."k1", t."k2") IN (SELECT r."k1", r."k2" FROM jsonb_populate_recordset(NULL::table, $n::text::jsonb) AS r)`
pub(crate) fn key_match(table: &TableRef, qname: &str, param: &str) -> String {
    let cols = |p: &str| {
        table
            .key
            .iter()
            .map(|k| format!("{p}.{}", q(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "({}) IN (SELECT {} FROM jsonb_populate_recordset(NULL::{qname}, {param}::text::jsonb) AS __ltops_key)",
        cols("t"),
        cols("__ltops_key")
    )
}

fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => other.to_string(),
    }
}

fn describe_keys(keys: &[Map<String, Value>]) -> String {
    let one = |m: &Map<String, Value>| {
        m.iter()
            .map(|(k, v)| format!("{k} = {}", literal(v)))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    match keys {
        [k] => one(k),
        many => many
            .iter()
            .map(|k| format!("({})", one(k)))
            .collect::<Vec<_>>()
            .join(" OR "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervention::tests::{assert_refused, repo_map};

    #[test]
    fn set_binds_values_and_keys() {
        let m = repo_map();
        let p = plan_set(
            &m,
            "leads",
            &Rows::Ids(vec!["a".into(), "b".into(), "a".into()]),
            &[
                ("status".into(), Some("lost".into())),
                ("notes".into(), None),
            ],
        )
        .unwrap();
        assert_eq!(p.op, Op::Update);
        assert_eq!(p.form, Form::Set);
        assert_eq!(p.expect.as_ref().unwrap().len(), 2, "duplicates collapse");
        let c = p.capture.as_ref().unwrap();
        assert_eq!(
            c.select.params,
            vec![Param::Text(r#"[{"id":"a"},{"id":"b"}]"#.into())]
        );
        assert!(c.select.sql.contains(r#"(t."id") IN (SELECT __ltops_key."id" FROM jsonb_populate_recordset(NULL::"public"."leads", $1::text::jsonb)"#), "{}", c.select.sql);
        assert_eq!(p.change.params[0], Param::NewValues);
        assert_eq!(
            Value::Object(p.set_values.clone()).to_string(),
            r#"{"status":"lost","notes":null}"#
        );
        assert!(
            !p.change.sql.contains("lost"),
            "values are bound, never spliced"
        );
        assert_eq!(
            p.statement,
            "UPDATE leads SET status = 'lost', notes = NULL WHERE (id = 'a') OR (id = 'b')"
        );
    }

    #[test]
    fn composite_keys_need_every_column() {
        let m = repo_map();
        assert_refused(
            plan_delete(&m, "marketplace_members", &Rows::Ids(vec!["x".into()])),
            "--key",
        );
        let one_column = Rows::Key(vec![("marketplace_id".into(), "x".into())]);
        assert_refused(
            plan_delete(&m, "marketplace_members", &one_column),
            "missing tenant_id",
        );
        let p = plan_delete(
            &m,
            "marketplace_members",
            &Rows::Key(vec![
                ("tenant_id".into(), "t".into()),
                ("marketplace_id".into(), "x".into()),
            ]),
        )
        .unwrap();
        assert_eq!(
            p.statement,
            "DELETE FROM marketplace_members WHERE marketplace_id = 'x' AND tenant_id = 't'"
        );
    }

    #[test]
    fn keys_tenants_and_unknown_tables_are_refused() {
        let m = repo_map();
        let ids = Rows::Ids(vec!["a".into()]);
        let set = |t: &str, c: &str| plan_set(&m, t, &ids, &[(c.into(), Some("v".into()))]);
        assert_refused(set("leads", "id"), "key");
        assert_refused(set("leads", "tenant_id"), "tenant");
        assert!(
            set("leads", "x; drop table leads")
                .unwrap_err()
                .to_string()
                .contains("not a column name")
        );
        assert_refused(
            set("pg_authid", "rolpassword"),
            "not a table of the data map",
        );
        assert_refused(plan_delete(&m, "invoices", &ids), "booking records");
        assert_refused(plan_delete(&m, "tenants", &ids), "tenant erase");
        assert_refused(plan_set(&m, "leads", &ids, &[]), "nothing to set");
    }
}
