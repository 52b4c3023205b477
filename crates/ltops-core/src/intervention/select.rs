//! Raw SQL for reading (`ltops inspect --sql`): exactly one SELECT, checked by
//! the same guard and allow-lists as an intervention's statement, then
//! rewritten so that every table it reads passes each of its rows through a
//! check of the tenant columns.
//!
//! The check is independent of the policies that should already hold: each
//! relation `leads l` becomes `(SELECT * FROM "public"."leads" AS __ltops_r
//! WHERE CASE WHEN <a tenant column is the tenant> THEN true ELSE <error> END)
//! AS l`. A row of another tenant that row-level security lets through stops
//! the query with an error naming the table, instead of reaching the result.
//! PostgreSQL still reports a plain column's origin (table and column) through
//! such a subquery, which is how masking knows which output columns are
//! personal.
//!
//! For output columns that are computed (no origin), the statement's select
//! lists tell whether they may carry personal data: see [`Computed`].

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Select, SelectItem, SetExpr, Statement,
    TableFactor, Visit, VisitMut, Visitor, VisitorMut,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::sql::{Purpose, guard, ident_value, on_parser_stack, parse_one, resolve_for};
use super::{Refusal, TableRef, q};
use crate::datamap::DataMap;

/// Whether output columns without a table column as origin (expressions,
/// aggregates, set operations) may carry personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Computed {
    /// No select list of the statement refers to a personal column or a whole row.
    Clean,
    /// Per output column of the top-level select list (no wildcard there, and
    /// every nested select list clean): true when the column's expression refers
    /// to a personal column or a whole row.
    PerColumn(Vec<bool>),
    /// Some select list refers to personal data in a way the columns cannot be
    /// traced through (a nested select list, a nested wildcard): every computed
    /// column is treated as personal.
    All,
}

impl Computed {
    /// Whether the computed output column at `index` may carry personal data.
    pub fn personal(&self, index: usize) -> bool {
        match self {
            Computed::Clean => false,
            Computed::PerColumn(v) => v.get(index).copied().unwrap_or(true),
            Computed::All => true,
        }
    }
}

/// A SELECT, checked and ready to run in the tenant's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSelect {
    /// The statement as the operator gave it (for the record, sealed).
    pub statement: String,
    /// What runs: qualified names, every relation wrapped in the row check.
    pub sql: String,
    /// Every data-map table it reads.
    pub tables: BTreeSet<String>,
    pub computed: Computed,
}

/// Parses and checks `text` as one SELECT for `map`, and rewrites it for `tenant`.
pub fn plan(map: &DataMap, text: &str, tenant: &str) -> Result<CheckedSelect, Refusal> {
    let normalised = super::bounds::check(text)?;
    let statement = text.trim().to_owned();
    on_parser_stack(|| plan_checked(map, &normalised, statement, tenant))
}

fn plan_checked(
    map: &DataMap,
    text: &str,
    statement: String,
    tenant: &str,
) -> Result<CheckedSelect, Refusal> {
    let mut stmt = parse_one(text, Purpose::Read)?;
    check_kind(&stmt)?;
    let tables = guard(map, &stmt, Purpose::Read)?;
    let computed = computed(map, &stmt);
    let mut wrap = WrapRelations {
        map,
        tenant,
        error: None,
    };
    let _ = VisitMut::visit(&mut stmt, &mut wrap);
    if let Some(e) = wrap.error {
        return Err(e);
    }
    Ok(CheckedSelect {
        statement,
        sql: stmt.to_string(),
        tables,
        computed,
    })
}

const ONLY: &str = "only a single SELECT is accepted: an inspection reads (DDL, DML, COPY, SET/RESET, role changes, transaction control, EXPLAIN and procedure calls are refused; `ltops intervene` changes data)";

fn check_kind(stmt: &Statement) -> Result<(), Refusal> {
    match stmt {
        Statement::Query(query) if query.with.is_some() => Err("WITH (common table expressions) is not accepted: write the subquery inline — a WITH could also hide a data-modifying statement".into()),
        Statement::Query(query) => match query.body.as_ref() {
            SetExpr::Select(_) | SetExpr::SetOperation { .. } | SetExpr::Query(_) => Ok(()),
            SetExpr::Values(_) => Err(format!("VALUES reads nothing; {ONLY}").into()),
            _ => Err(ONLY.into()),
        },
        other => {
            Err(format!("`{} …` is refused: {ONLY}", super::sql::leading_words(other)).into())
        }
    }
}

/// `(SELECT * FROM "schema"."table" AS __ltops_r WHERE <row check>)`: the
/// table's rows, each checked against the tenant columns. A row of another
/// tenant raises an error (a cast that fails, carrying the message), which
/// PostgreSQL cannot fold away at planning because it depends on the row.
pub fn checked_relation(map: &DataMap, table: &TableRef, tenant: &str) -> String {
    let literal = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let t = literal(tenant);
    let ours = table
        .tenant_columns
        .iter()
        .map(|c| format!("__ltops_r.{}::text = {t}", q(c)))
        .collect::<Vec<_>>()
        .join(" OR ");
    let found = table
        .tenant_columns
        .iter()
        .map(|c| {
            format!(
                "{} || '=' || coalesce(__ltops_r.{}::text, 'NULL')",
                literal(c),
                q(c)
            )
        })
        .collect::<Vec<_>>()
        .join(" || ', ' || ");
    let message = literal(&format!(
        "{OUT_OF_SCOPE} {} (tenant {tenant}): ",
        table.name
    ));
    format!(
        "(SELECT * FROM {} AS __ltops_r WHERE CASE WHEN {ours} THEN true ELSE pg_catalog.int4({message} || {found}) IS NULL END)",
        map.qualified(&table.name)
    )
}

/// The start of the error a row outside the tenant raises in
/// [`checked_relation`]; the runner recognises it.
pub const OUT_OF_SCOPE: &str = "ltops: row outside the tenant scope in";

/// Replaces every data-map relation by its checked form, keeping its name
/// (alias, or the bare table name) so that column references still resolve.
struct WrapRelations<'m> {
    map: &'m DataMap,
    tenant: &'m str,
    error: Option<Refusal>,
}

impl VisitorMut for WrapRelations<'_> {
    type Break = ();

    // After the children: the new subquery must not be visited again.
    fn post_visit_table_factor(&mut self, tf: &mut TableFactor) -> ControlFlow<()> {
        let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = tf
        else {
            return ControlFlow::Continue(());
        };
        let table = match resolve_for(self.map, name, Purpose::Read) {
            Ok(t) => t,
            Err(e) => {
                self.error = Some(e);
                return ControlFlow::Break(());
            }
        };
        let bare = table
            .name
            .rsplit_once('.')
            .map_or(table.name.as_str(), |(_, t)| t);
        let wrapper = format!(
            "SELECT * FROM {} AS {}",
            checked_relation(self.map, &table, self.tenant),
            q(bare)
        );
        match derived(&wrapper) {
            Some(TableFactor::Derived {
                lateral,
                subquery,
                alias: default_alias,
                sample,
            }) => {
                *tf = TableFactor::Derived {
                    lateral,
                    subquery,
                    alias: alias.take().or(default_alias),
                    sample,
                };
                ControlFlow::Continue(())
            }
            _ => {
                self.error = Some("internal error: cannot build the row check".into());
                ControlFlow::Break(())
            }
        }
    }
}

/// The first FROM item of `sql` (a SELECT).
fn derived(sql: &str) -> Option<TableFactor> {
    let mut parsed = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    let Statement::Query(query) = parsed.pop()? else {
        return None;
    };
    let SetExpr::Select(select) = *query.body else {
        return None;
    };
    let Select { mut from, .. } = *select;
    if from.is_empty() {
        return None;
    }
    Some(from.remove(0).relation)
}

/// Which computed output columns may carry personal data; see [`Computed`].
fn computed(map: &DataMap, stmt: &Statement) -> Computed {
    let mut personal: BTreeSet<String> = map.tenant.personal.iter().cloned().collect();
    let mut rows: BTreeSet<String> = BTreeSet::from([bare(&map.tenant.table)]);
    for t in &map.tables {
        personal.extend(t.personal.iter().cloned());
        rows.insert(bare(&t.table));
    }
    let mut aliases = Aliases(BTreeSet::new());
    let _ = Visit::visit(stmt, &mut aliases);
    rows.extend(aliases.0);
    let top: Option<*const Select> = match stmt {
        Statement::Query(q) => match q.body.as_ref() {
            SetExpr::Select(s) => Some(&**s as *const Select),
            _ => None,
        },
        _ => None,
    };
    let mut lists = SelectLists {
        personal: &personal,
        rows: &rows,
        top,
        nested_tainted: false,
        top_items: Vec::new(),
        top_wildcard: false,
    };
    let _ = Visit::visit(stmt, &mut lists);
    if lists.nested_tainted {
        return Computed::All;
    }
    if top.is_some() && !lists.top_wildcard {
        return Computed::PerColumn(lists.top_items);
    }
    if lists.top_items.iter().any(|t| *t) {
        Computed::All
    } else {
        Computed::Clean
    }
}

fn bare(table: &str) -> String {
    table.rsplit_once('.').map_or(table, |(_, t)| t).to_owned()
}

/// Every alias a FROM item is given: a bare alias used as a value is a whole row.
struct Aliases(BTreeSet<String>);

impl Visitor for Aliases {
    type Break = ();

    fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
        let alias = match tf {
            TableFactor::Table { alias, .. } | TableFactor::Derived { alias, .. } => alias,
            _ => &None,
        };
        if let Some(a) = alias
            && let Ok(name) = ident_value(&a.name)
        {
            self.0.insert(name);
        }
        ControlFlow::Continue(())
    }
}

/// Walks every select list: the top-level one item by item, the nested ones
/// as a whole.
struct SelectLists<'a> {
    personal: &'a BTreeSet<String>,
    rows: &'a BTreeSet<String>,
    top: Option<*const Select>,
    nested_tainted: bool,
    top_items: Vec<bool>,
    top_wildcard: bool,
}

impl Visitor for SelectLists<'_> {
    type Break = ();

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        let is_top = self.top == Some(select as *const Select);
        for item in &select.projection {
            let tainted = match item {
                SelectItem::UnnamedExpr(e)
                | SelectItem::ExprWithAlias { expr: e, .. }
                | SelectItem::ExprWithAliases { expr: e, .. } => {
                    refers_to_personal(e, self.personal, self.rows)
                }
                // A nested wildcard passes columns on under names the outer
                // lists may rename; at the top, each column has its origin.
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    if is_top {
                        self.top_wildcard = true;
                        false
                    } else {
                        true
                    }
                }
            };
            if is_top {
                self.top_items.push(tainted);
            } else {
                self.nested_tainted |= tainted;
            }
        }
        ControlFlow::Continue(())
    }
}

/// True when `e` names a personal column (by its name in any table of the
/// data map), a whole row (a table or alias used as a value, `t.*` as a
/// function argument).
fn refers_to_personal(e: &Expr, personal: &BTreeSet<String>, rows: &BTreeSet<String>) -> bool {
    struct Refs<'a> {
        personal: &'a BTreeSet<String>,
        rows: &'a BTreeSet<String>,
    }
    impl Visitor for Refs<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            let hit = match e {
                Expr::Identifier(i) => ident_value(i).map_or(true, |n| {
                    self.personal.contains(&n) || self.rows.contains(&n)
                }),
                Expr::CompoundIdentifier(parts) => parts.last().is_none_or(|i| {
                    ident_value(i).map_or(true, |n| {
                        self.personal.contains(&n) || self.rows.contains(&n)
                    })
                }),
                Expr::Function(f) => match &f.args {
                    FunctionArguments::List(l) => l.args.iter().any(|a| {
                        matches!(
                            a,
                            FunctionArg::Unnamed(FunctionArgExpr::QualifiedWildcard(_))
                                | FunctionArg::Named {
                                    arg: FunctionArgExpr::QualifiedWildcard(_),
                                    ..
                                }
                        )
                    }),
                    _ => false,
                },
                _ => false,
            };
            if hit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let mut refs = Refs { personal, rows };
    Visit::visit(e, &mut refs).is_break()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervention::tests::repo_map;

    const T: &str = "00000000-0000-4000-8000-000000000003";

    fn ok(sql: &str) -> CheckedSelect {
        plan(&repo_map(), sql, T).unwrap_or_else(|e| panic!("{sql}: refused: {e}"))
    }

    fn refused(sql: &str, why: &str) {
        match plan(&repo_map(), sql, T) {
            Ok(p) => panic!("{sql}: accepted as {}", p.sql),
            Err(e) => assert!(
                e.to_string().contains(why),
                "{sql}: expected `{why}` in: {e}"
            ),
        }
    }

    #[test]
    fn every_relation_is_wrapped_in_the_row_check_under_its_name() {
        let p = ok(
            "select l.email, s.to_tenant_id from leads l join lead_shares s on s.lead_id = l.id where l.id in (select stream_id from lead_events)",
        );
        assert_eq!(
            p.tables.iter().cloned().collect::<Vec<_>>(),
            vec!["lead_events", "lead_shares", "leads"]
        );
        assert!(
            p.sql.contains(&format!("FROM (SELECT * FROM \"public\".\"leads\" AS __ltops_r WHERE CASE WHEN __ltops_r.\"tenant_id\"::TEXT = '{T}' THEN true")),
            "{}",
            p.sql
        );
        assert!(p.sql.contains(") l JOIN"), "{}", p.sql);
        assert!(
            p.sql.contains("__ltops_r.\"from_tenant_id\"::TEXT = '")
                && p.sql.contains("OR __ltops_r.\"to_tenant_id\"::TEXT = '"),
            "{}",
            p.sql
        );
        assert!(p.sql.contains(") AS \"lead_events\""), "{}", p.sql);
        assert!(!p.sql.contains("FROM leads"), "{}", p.sql);
    }

    #[test]
    fn anything_but_one_select_is_refused() {
        for (sql, why) in [
            ("SELECT * FROM leads FOR UPDATE", "locking clauses"),
            ("SELECT * FROM leads FOR SHARE", "locking clauses"),
            ("SELECT * INTO copy FROM leads", "INTO"),
            ("SELECT nextval('leads_seq')", "`nextval`"),
            (
                "SELECT set_config('app.tenant_id', 'x', false)",
                "`set_config`",
            ),
            ("SELECT pg_sleep(10)", "`pg_sleep`"),
            ("SELECT current_setting('app.tenant_id')", "current_setting"),
            (
                "WITH d AS (DELETE FROM leads RETURNING *) SELECT * FROM d",
                "WITH",
            ),
            ("WITH x AS (SELECT 1) SELECT * FROM x", "WITH"),
            ("SELECT * FROM generate_series(1, 3)", "table function"),
            (
                "SELECT * FROM ltops_audit.events",
                "not a table of the data map",
            ),
            (
                "SELECT * FROM ltops_audit.tenant_keys",
                "not a table of the data map",
            ),
            (
                "SELECT * FROM pg_catalog.pg_authid",
                "not a table of the data map",
            ),
            (
                "SELECT (SELECT rolname FROM pg_roles LIMIT 1)",
                "not a table of the data map",
            ),
            ("SELECT * FROM other.leads", "not a table of the data map"),
            ("SELECT * FROM leads; SELECT 1", "exactly one statement"),
            ("UPDATE leads SET notes = 'x'", "only a single SELECT"),
            ("DELETE FROM leads", "only a single SELECT"),
            (
                "EXPLAIN ANALYZE SELECT * FROM leads",
                "only a single SELECT",
            ),
            ("SET ROLE postgres", "only a single SELECT"),
            ("COPY leads TO STDOUT", "only a single SELECT"),
            ("TABLE leads", "cannot parse"),
            ("SELECT * FROM leads WHERE id = $1", "parameter"),
            ("SELECT dblink('x', 'y')", "dblink"),
            (
                "SELECT query_to_xml('select 1', true, true, '')",
                "query_to_xml",
            ),
            ("SELECT lo_import('/etc/passwd')", "lo_import"),
            ("", "empty"),
        ] {
            refused(sql, why);
        }
    }

    #[test]
    fn computed_columns_are_traced_to_personal_data() {
        let p = ok(
            "SELECT status, count(*), lower(email), to_json(l) FROM leads l GROUP BY status, email, l.id",
        );
        assert_eq!(
            p.computed,
            Computed::PerColumn(vec![false, false, true, true])
        );
        let p = ok("SELECT count(*), max(created_at) FROM leads WHERE email LIKE '%@example.com'");
        assert_eq!(p.computed, Computed::PerColumn(vec![false, false]));
        // Aliased in a subquery: the outer expression cannot be traced.
        for sql in [
            "SELECT lower(x) FROM (SELECT email AS x FROM leads) s",
            "SELECT upper(y) FROM (SELECT * FROM leads) s(a, b, c, d, y)",
            "SELECT * FROM (SELECT lower(email) FROM leads) s",
            "SELECT (SELECT email FROM users LIMIT 1) AS e",
            "SELECT to_json(s.*) FROM (SELECT id FROM leads) s",
        ] {
            assert!(ok(sql).computed.personal(0), "{sql}");
        }
        assert_eq!(
            ok("SELECT id FROM leads UNION SELECT id FROM users").computed,
            Computed::Clean
        );
        assert_eq!(
            ok("SELECT email FROM leads UNION SELECT email FROM users").computed,
            Computed::All
        );
        assert_eq!(ok("SELECT * FROM leads").computed, Computed::Clean);
    }
}
