//! Raw SQL for the cases the structured forms do not cover: exactly one INSERT,
//! UPDATE or DELETE, parsed (PostgreSQL dialect) and checked node by node before
//! anything reaches the database.
//!
//! The checks are allow-lists, so syntax nobody thought of is refused rather than
//! let through:
//!
//! * statements: one top-level INSERT, UPDATE or DELETE; no nested statement
//!   (data-modifying CTEs), no WITH at all, no RETURNING (ltops adds its own);
//! * tables: every relation anywhere (target, FROM, USING, JOIN, subqueries) must
//!   be a table of the data map, in its schema — so neither `ltops_audit.*` nor the
//!   catalogs can be read or written; table functions in FROM are refused;
//! * functions: a fixed list of side-effect-free built-ins, unqualified or
//!   `pg_catalog.`-qualified (no `set_config`, `dblink`, `pg_*` admin functions,
//!   `query_to_xml`, `nextval`, …);
//! * expressions: the ordinary operators and forms; custom operators and
//!   parameters (`$1`) are refused.
//!
//! Before rendering, every relation is rewritten to `"schema"."table"`, and the
//! transaction runs with `search_path = pg_catalog, pg_temp`, so names resolve
//! exactly as checked here. Row-level security, not this parser, is what keeps
//! the statement inside the tenant; the parser keeps it inside the data map and
//! away from anything that could change the session.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Assignment, BinaryOperator, CastKind, Delete, Expr, FromTable, Function, FunctionArguments,
    Ident, InTarget, Insert, ObjectName, ObjectNamePart, OnConflictAction, OnInsert, Query, Select,
    SetExpr, Statement, TableFactor, TableObject, TableWithJoins, Update, UpdateTableFromKind,
    ValueWithSpan, Visit, VisitMut, Visitor, VisitorMut,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::{
    Capture, Form, Op, Param, Plan, Query as PlanQuery, RESERVED_PREFIX, Refusal, TableRef,
    image_expr, q, qualified,
};
use crate::datamap::DataMap;

/// Functions a statement may call: built-ins without side effects on anything but
/// the value they return. Everything else is refused by name.
pub const ALLOWED_FUNCTIONS: &[&str] = &[
    // text
    "lower",
    "upper",
    "initcap",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "substr",
    "substring",
    "left",
    "right",
    "lpad",
    "rpad",
    "replace",
    "translate",
    "concat",
    "concat_ws",
    "strpos",
    "split_part",
    "starts_with",
    "reverse",
    "repeat",
    "regexp_replace",
    "regexp_match",
    "format",
    "md5",
    // null handling, comparison
    "coalesce",
    "nullif",
    "greatest",
    "least",
    // numbers
    "abs",
    "round",
    "trunc",
    "floor",
    "ceil",
    "ceiling",
    "mod",
    "sign",
    // time (now() is the transaction's start: the same in capture and change)
    "now",
    "current_date",
    "current_timestamp",
    "localtimestamp",
    "transaction_timestamp",
    "date_trunc",
    "date_part",
    "make_date",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "make_interval",
    "to_timestamp",
    "to_date",
    "to_char",
    "age",
    // json
    "to_json",
    "to_jsonb",
    "json_build_object",
    "json_build_array",
    "jsonb_build_object",
    "jsonb_build_array",
    "jsonb_set",
    "jsonb_insert",
    "jsonb_strip_nulls",
    "jsonb_extract_path",
    "jsonb_extract_path_text",
    "jsonb_typeof",
    "jsonb_array_length",
    // arrays
    "array_length",
    "cardinality",
    "array_append",
    "array_prepend",
    "array_remove",
    "array_replace",
    "array_position",
    "array_cat",
    // aggregates, for subqueries
    "count",
    "min",
    "max",
    "sum",
    "avg",
    "bool_and",
    "bool_or",
    "string_agg",
    "array_agg",
    "jsonb_agg",
    "jsonb_object_agg",
    // new ids
    "gen_random_uuid",
];

/// Stack for parsing and checking: the bounds keep the tree shallow, and this
/// keeps the walk off the runtime's small worker stacks.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// Parses and checks `text`, and plans it for `map`. Size, nesting and the
/// number of operators are bounded before the parser sees the text
/// ([`super::bounds`]).
pub fn plan(map: &DataMap, text: &str) -> Result<Plan, Refusal> {
    let normalised = super::bounds::check(text)?;
    let statement = text.trim().to_owned();
    on_parser_stack(|| plan_checked(map, &normalised, statement))
}

/// Runs `f` on a thread with a stack deep enough for the parser and the walks.
pub(super) fn on_parser_stack<T: Send>(
    f: impl FnOnce() -> Result<T, Refusal> + Send,
) -> Result<T, Refusal> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("sql-guard".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(s, f)
            .map_err(|e| Refusal::from(format!("cannot start the SQL check: {e}")))?
            .join()
            .unwrap_or_else(|_| Err("the SQL check failed unexpectedly".into()))
    })
}

/// Exactly one statement of `text` (PostgreSQL dialect).
pub(super) fn parse_one(text: &str, purpose: Purpose) -> Result<Statement, Refusal> {
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, text)
        .map_err(|e| Refusal::Unparsable(e.to_string()))?;
    match statements.len() {
        0 => Err("the statement is empty".into()),
        1 => Ok(statements.remove(0)),
        n => Err(format!(
            "exactly one statement is accepted, this is {n} (separated by `;`): run them as separate {}s",
            match purpose {
                Purpose::Change => "intervention",
                Purpose::Read => "inspection",
            }
        )
        .into()),
    }
}

/// Walks every node of `stmt` through the allow-lists; returns the data-map
/// tables it names.
pub(super) fn guard(
    map: &DataMap,
    stmt: &Statement,
    purpose: Purpose,
) -> Result<BTreeSet<String>, Refusal> {
    let mut guard = Guard::new(map, purpose);
    if let ControlFlow::Break(why) = Visit::visit(stmt, &mut guard) {
        return Err(why);
    }
    Ok(guard.tables)
}

/// [`plan`] once the bounds hold; `text` has its unicode escapes resolved,
/// `statement` is the text as the operator gave it (for the record).
fn plan_checked(map: &DataMap, text: &str, statement: String) -> Result<Plan, Refusal> {
    let mut stmt = parse_one(text, Purpose::Change)?;
    check_kind(&stmt)?;
    let tables = guard(map, &stmt, Purpose::Change)?;
    // Names resolve exactly as checked: every relation becomes "schema"."table".
    let mut qualify = Qualify { map };
    let _ = VisitMut::visit(&mut stmt, &mut qualify);
    match stmt {
        Statement::Insert(i) => plan_insert(map, i, tables, statement),
        Statement::Update(u) => plan_update(map, u, tables, statement),
        Statement::Delete(d) => plan_delete(map, d, tables, statement),
        _ => Err("only INSERT, UPDATE or DELETE".into()),
    }
}

const ONLY: &str = "only a single INSERT, UPDATE or DELETE is accepted (DDL, COPY, SET/RESET, role changes, transaction control, queries and procedure calls are refused)";

fn check_kind(stmt: &Statement) -> Result<(), Refusal> {
    match stmt {
        Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => Ok(()),
        Statement::Query(query) => {
            if query.with.is_some() {
                Err("WITH (common table expressions) is not accepted: write the subquery inline — a WITH could also hide a second, data-modifying statement".into())
            } else {
                Err(format!("a query changes nothing; {ONLY}").into())
            }
        }
        other => Err(format!(
            "`{} …` is refused: {ONLY}",
            super::sql::leading_words(other)
        )
        .into()),
    }
}

/// What a checked statement is for: the allow-lists are the same, the words of
/// a refusal differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `ltops intervene sql`: one INSERT, UPDATE or DELETE.
    Change,
    /// `ltops inspect --sql`: one SELECT.
    Read,
}

impl Purpose {
    fn noun(self) -> &'static str {
        match self {
            Purpose::Change => "an intervention",
            Purpose::Read => "an inspection",
        }
    }

    fn command(self) -> &'static str {
        match self {
            Purpose::Change => "ltops intervene",
            Purpose::Read => "ltops inspect",
        }
    }
}

/// Walks every node; breaks with the reason at the first one that is not allowed.
struct Guard<'m> {
    map: &'m DataMap,
    purpose: Purpose,
    statements: usize,
    tables: BTreeSet<String>,
}

impl<'m> Guard<'m> {
    fn new(map: &'m DataMap, purpose: Purpose) -> Guard<'m> {
        Guard {
            map,
            purpose,
            statements: 0,
            tables: BTreeSet::new(),
        }
    }
}

impl Visitor for Guard<'_> {
    type Break = Refusal;

    fn pre_visit_statement(&mut self, _s: &Statement) -> ControlFlow<Refusal> {
        self.statements += 1;
        if self.statements > 1 {
            return ControlFlow::Break(
                "a statement inside the statement (a data-modifying WITH or similar) is refused"
                    .into(),
            );
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Refusal> {
        to_flow(check_query(query, self.purpose))
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<Refusal> {
        to_flow(check_select(select))
    }

    fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<Refusal> {
        to_flow(check_table_factor(t))
    }

    fn pre_visit_relation(&mut self, name: &ObjectName) -> ControlFlow<Refusal> {
        match resolve_for(self.map, name, self.purpose) {
            Ok(t) => {
                self.tables.insert(t.name);
                ControlFlow::Continue(())
            }
            Err(e) => ControlFlow::Break(e),
        }
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<Refusal> {
        to_flow(check_expr(e, self.purpose))
    }

    fn pre_visit_value(&mut self, v: &ValueWithSpan) -> ControlFlow<Refusal> {
        if let sqlparser::ast::Value::Placeholder(p) = &v.value {
            return ControlFlow::Break(
                format!("the parameter `{p}` has no value: write the value into the statement")
                    .into(),
            );
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_ident(&mut self, ident: &Ident) -> ControlFlow<Refusal> {
        if ident
            .value
            .to_ascii_lowercase()
            .starts_with(RESERVED_PREFIX)
        {
            return ControlFlow::Break(
                format!(
                    "the name `{}` is reserved for ltops' own use in the statement",
                    ident.value
                )
                .into(),
            );
        }
        ControlFlow::Continue(())
    }
}

fn to_flow(r: Result<(), Refusal>) -> ControlFlow<Refusal> {
    match r {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => ControlFlow::Break(e),
    }
}

/// Rewrites every relation to `"schema"."table"` (after the guard accepted it).
struct Qualify<'m> {
    map: &'m DataMap,
}

impl VisitorMut for Qualify<'_> {
    type Break = ();

    fn pre_visit_relation(&mut self, name: &mut ObjectName) -> ControlFlow<()> {
        if let Ok(t) = resolve(self.map, name) {
            *name = ObjectName(vec![
                ObjectNamePart::Identifier(Ident::with_quote('"', self.map.schema.clone())),
                ObjectNamePart::Identifier(Ident::with_quote('"', t.name)),
            ]);
        }
        ControlFlow::Continue(())
    }
}

/// How PostgreSQL reads an identifier: unquoted folds to lower case.
pub(super) fn ident_value(ident: &Ident) -> Result<String, Refusal> {
    match ident.quote_style {
        None => Ok(ident.value.to_lowercase()),
        Some('"') => Ok(ident.value.clone()),
        Some(c) => {
            Err(format!("`{c}` is not how PostgreSQL quotes names (use double quotes)").into())
        }
    }
}

pub(super) fn name_parts(name: &ObjectName) -> Result<Vec<String>, Refusal> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => ident_value(i),
            ObjectNamePart::Function(_) => Err(format!("`{name}` is not a plain name").into()),
        })
        .collect()
}

/// A relation must be a data-map table in the data map's schema.
fn resolve(map: &DataMap, name: &ObjectName) -> Result<TableRef, Refusal> {
    resolve_for(map, name, Purpose::Change)
}

pub(super) fn resolve_for(
    map: &DataMap,
    name: &ObjectName,
    purpose: Purpose,
) -> Result<TableRef, Refusal> {
    let what = match purpose {
        Purpose::Change => "interventions read and write",
        Purpose::Read => "inspections read",
    };
    let parts = name_parts(name)?;
    let table = match (parts.as_slice(), purpose) {
        ([t], _) => t.clone(),
        ([s, t], _) if *s == map.schema => t.clone(),
        // A read may reach a table the map names in another schema; a change
        // may not (its trigger and cascade checks look at the map's schema).
        ([s, t], Purpose::Read) => format!("{s}.{t}"),
        _ => {
            return Err(format!(
                "`{name}` is not a table of the data map (schema `{}`): {what} only the tenant tables of policies/datamap.yaml",
                map.schema
            ).into());
        }
    };
    TableRef::find(map, &table).ok_or_else(|| {
        Refusal::from(format!(
            "`{name}` is not a table of the data map: {what} only {}",
            TableRef::names(map).join(", ")
        ))
    })
}

fn check_query(query: &Query, purpose: Purpose) -> Result<(), Refusal> {
    if query.with.is_some() {
        return Err("WITH (common table expressions) is not accepted: write the subquery inline — a WITH could also hide a second, data-modifying statement".into());
    }
    if !query.locks.is_empty() {
        return Err(match purpose {
            Purpose::Change => "locking clauses (FOR UPDATE/SHARE) inside the statement are refused: ltops locks the rows it changes itself",
            Purpose::Read => "locking clauses (FOR UPDATE/SHARE) are refused: an inspection only reads, it takes no row locks",
        }.into());
    }
    if query.for_clause.is_some()
        || query.settings.is_some()
        || query.format_clause.is_some()
        || !query.pipe_operators.is_empty()
    {
        return Err(format!(
            "`{}` uses syntax that is not PostgreSQL",
            short(&query.to_string())
        )
        .into());
    }
    check_set_expr(&query.body)
}

fn check_set_expr(body: &SetExpr) -> Result<(), Refusal> {
    match body {
        SetExpr::Select(_) | SetExpr::Query(_) | SetExpr::Values(_) => Ok(()),
        SetExpr::SetOperation { left, right, .. } => {
            check_set_expr(left)?;
            check_set_expr(right)
        }
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
            Err("a statement inside the statement (a data-modifying subquery) is refused".into())
        }
        SetExpr::Table(t) => Err(format!(
            "`TABLE {}` is refused: write SELECT … FROM",
            t.table_name
                .as_ref()
                .map_or_else(|| "?".to_owned(), ToString::to_string)
        )
        .into()),
    }
}

fn check_select(s: &Select) -> Result<(), Refusal> {
    if s.into.is_some() {
        return Err("SELECT … INTO creates a table and is refused".into());
    }
    if s.top.is_some()
        || !s.lateral_views.is_empty()
        || s.prewhere.is_some()
        || !s.connect_by.is_empty()
        || s.qualify.is_some()
        || !s.cluster_by.is_empty()
        || !s.distribute_by.is_empty()
        || !s.sort_by.is_empty()
        || s.value_table_mode.is_some()
        || !s.optimizer_hints.is_empty()
    {
        return Err(format!(
            "`{}` uses syntax that is not PostgreSQL",
            short(&s.to_string())
        )
        .into());
    }
    Ok(())
}

fn check_table_factor(t: &TableFactor) -> Result<(), Refusal> {
    match t {
        TableFactor::Table {
            args,
            with_hints,
            version,
            with_ordinality,
            partitions,
            json_path,
            sample,
            index_directives,
            ..
        } => {
            if args.is_some() {
                return Err(format!(
                    "the table function `{t}` is refused: only tables of the data map may appear in FROM"
                ).into());
            }
            if !with_hints.is_empty()
                || version.is_some()
                || *with_ordinality
                || !partitions.is_empty()
                || json_path.is_some()
                || sample.is_some()
                || !index_directives.is_empty()
            {
                return Err(format!("`{t}` uses syntax ltops does not accept").into());
            }
            Ok(())
        }
        TableFactor::Derived { sample: None, .. } | TableFactor::NestedJoin { .. } => Ok(()),
        other => Err(format!(
            "`{}` is refused in FROM: only tables of the data map and subqueries",
            short(&other.to_string())
        )
        .into()),
    }
}

fn check_expr(e: &Expr, purpose: Purpose) -> Result<(), Refusal> {
    match e {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::CompoundFieldAccess { .. }
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::Between { .. }
        | Expr::SimilarTo { .. }
        | Expr::AnyOp { .. }
        | Expr::AllOp { .. }
        | Expr::UnaryOp { .. }
        | Expr::AtTimeZone { .. }
        | Expr::Extract { .. }
        | Expr::Ceil { .. }
        | Expr::Floor { .. }
        | Expr::Position { .. }
        | Expr::Substring { .. }
        | Expr::Trim { .. }
        | Expr::Overlay { .. }
        | Expr::Collate { .. }
        | Expr::Nested(_)
        | Expr::Value(_)
        | Expr::TypedString(_)
        | Expr::Case { .. }
        | Expr::Exists { .. }
        | Expr::Subquery(_)
        | Expr::Tuple(_)
        | Expr::Array(_)
        | Expr::Interval(_) => Ok(()),
        Expr::Like { any: false, .. } | Expr::ILike { any: false, .. } => Ok(()),
        Expr::In {
            target: InTarget::List(_) | InTarget::Subquery(_),
            global: false,
            ..
        } => Ok(()),
        Expr::BinaryOp { op, .. } => check_operator(op, purpose),
        Expr::Cast {
            kind: CastKind::Cast | CastKind::DoubleColon,
            format: None,
            ..
        } => Ok(()),
        Expr::Function(f) => check_function(f, purpose),
        other => Err(format!(
            "the expression `{}` is not accepted in {}",
            short(&other.to_string()),
            purpose.noun()
        )
        .into()),
    }
}

fn check_operator(op: &BinaryOperator, purpose: Purpose) -> Result<(), Refusal> {
    use BinaryOperator as B;
    match op {
        B::Plus
        | B::Minus
        | B::Multiply
        | B::Divide
        | B::Modulo
        | B::StringConcat
        | B::Gt
        | B::Lt
        | B::GtEq
        | B::LtEq
        | B::Eq
        | B::NotEq
        | B::And
        | B::Or
        | B::BitwiseOr
        | B::BitwiseAnd
        | B::PGBitwiseXor
        | B::PGBitwiseShiftLeft
        | B::PGBitwiseShiftRight
        | B::PGExp
        | B::PGOverlap
        | B::Overlaps
        | B::PGRegexMatch
        | B::PGRegexIMatch
        | B::PGRegexNotMatch
        | B::PGRegexNotIMatch
        | B::PGLikeMatch
        | B::PGILikeMatch
        | B::PGNotLikeMatch
        | B::PGNotILikeMatch
        | B::PGStartsWith
        | B::Arrow
        | B::LongArrow
        | B::HashArrow
        | B::HashLongArrow
        | B::HashMinus
        | B::AtArrow
        | B::ArrowAt
        | B::Question
        | B::QuestionAnd
        | B::QuestionPipe => Ok(()),
        other => Err(format!(
            "the operator `{other}` is not accepted in {}",
            purpose.noun()
        )
        .into()),
    }
}

fn check_function(f: &Function, purpose: Purpose) -> Result<(), Refusal> {
    let parts = name_parts(&f.name)?;
    let name = match parts.as_slice() {
        [n] => n.as_str(),
        [s, n] if s == "pg_catalog" => n.as_str(),
        _ => "",
    };
    if name.is_empty() || !ALLOWED_FUNCTIONS.contains(&name) {
        return Err(format!(
            "the function `{}` is not accepted in {} (only side-effect-free built-ins such as lower, coalesce, now, jsonb_set — README: {})",
            f.name,
            purpose.noun(),
            purpose.command()
        ).into());
    }
    if f.uses_odbc_syntax
        || !matches!(f.parameters, FunctionArguments::None)
        || f.null_treatment.is_some()
    {
        return Err(format!(
            "`{}` uses syntax that is not PostgreSQL",
            short(&f.to_string())
        )
        .into());
    }
    Ok(())
}

pub(super) fn short(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= 60 {
        s
    } else {
        format!("{}…", s.chars().take(59).collect::<String>())
    }
}

/// The target of an UPDATE or DELETE: a plain data-map table, maybe aliased.
fn target_of(map: &DataMap, t: &TableWithJoins) -> Result<(TableRef, Option<Ident>), Refusal> {
    if !t.joins.is_empty() {
        return Err("the target of an UPDATE or DELETE is one table (join in FROM/USING)".into());
    }
    match &t.relation {
        TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } => {
            let table = resolve(map, name)?;
            if let Some(a) = alias
                && !a.columns.is_empty()
            {
                return Err("column aliases on the target table are not accepted".into());
            }
            Ok((table, alias.as_ref().map(|a| a.name.clone())))
        }
        other => Err(format!(
            "`{}` is not a table of the data map",
            short(&other.to_string())
        )
        .into()),
    }
}

fn no_returning(r: &Option<Vec<sqlparser::ast::SelectItem>>) -> Result<(), Refusal> {
    if r.is_some() {
        return Err("leave out RETURNING: ltops returns every affected row itself (the before and after images)".into());
    }
    Ok(())
}

fn not_postgres(what: &str) -> Refusal {
    Refusal::NotPostgres(what.to_owned())
}

struct Target {
    table: TableRef,
    /// `"schema"."table" [AS alias]`
    sql: String,
    /// The name the row goes by: the alias, or the table name.
    r: String,
}

/// The before-images of UPDATE and DELETE: the target's rows (with the statement's
/// own FROM/USING and WHERE) by ctid, locked by the caller.
fn capture(t: &Target, extra_from: &[String], where_: &str, image: &str) -> Capture {
    let mut from = vec![t.sql.clone()];
    from.extend(extra_from.iter().cloned());
    Capture {
        select: PlanQuery {
            sql: format!(
                "SELECT {r}.ctid::text, {image} FROM {} WHERE {where_}",
                from.join(", "),
                r = t.r
            ),
            params: vec![],
        },
        lock_ref: t.r.clone(),
    }
}

fn target(map: &DataMap, table: TableRef, alias: Option<Ident>) -> Target {
    let qname = qualified(map, &table.name);
    match alias {
        Some(a) => Target {
            sql: format!("{qname} AS {a}"),
            r: a.to_string(),
            table,
        },
        None => Target {
            sql: qname,
            r: q(&table.name),
            table,
        },
    }
}

fn joined(items: &[TableWithJoins]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// UPDATE: capture with the same FROM and WHERE, then change joined to the ctids.
fn plan_update(
    map: &DataMap,
    u: Update,
    tables: BTreeSet<String>,
    statement: String,
) -> Result<Plan, Refusal> {
    let Update {
        update_token: _,
        optimizer_hints,
        table,
        on_cluster,
        assignments,
        from,
        selection,
        returning,
        output,
        or,
        order_by,
        limit,
        settings,
    } = u;
    if !optimizer_hints.is_empty()
        || on_cluster.is_some()
        || output.is_some()
        || or.is_some()
        || settings.is_some()
    {
        return Err(not_postgres("this UPDATE"));
    }
    if !order_by.is_empty() || limit.is_some() {
        return Err("UPDATE … ORDER BY/LIMIT is not PostgreSQL: narrow the WHERE instead".into());
    }
    no_returning(&returning)?;
    let (table, alias) = target_of(map, &table)?;
    table.check_op(Op::Update)?;
    if assignments.is_empty() {
        return Err("the UPDATE sets nothing".into());
    }
    let from = match from {
        None => vec![],
        Some(UpdateTableFromKind::AfterSet(f)) => f,
        Some(UpdateTableFromKind::BeforeSet(_)) => {
            return Err(not_postgres("UPDATE FROM … SET"));
        }
    };
    let t = target(map, table, alias);
    let sets = assignments
        .iter()
        .map(Assignment::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let head = format!("UPDATE {} SET {sets} FROM", t.sql);
    Ok(capture_then_change(
        Op::Update,
        t,
        &head,
        joined(&from),
        selection,
        tables,
        statement,
    ))
}

/// DELETE: capture with the same USING and WHERE, then delete joined to the ctids.
fn plan_delete(
    map: &DataMap,
    d: Delete,
    tables: BTreeSet<String>,
    statement: String,
) -> Result<Plan, Refusal> {
    let Delete {
        delete_token: _,
        optimizer_hints,
        tables: multi,
        from,
        on_cluster,
        using,
        selection,
        returning,
        output,
        order_by,
        limit,
        settings,
    } = d;
    if !optimizer_hints.is_empty()
        || !multi.is_empty()
        || on_cluster.is_some()
        || output.is_some()
        || settings.is_some()
    {
        return Err(not_postgres("this DELETE"));
    }
    if !order_by.is_empty() || limit.is_some() {
        return Err("DELETE … ORDER BY/LIMIT is not PostgreSQL: narrow the WHERE instead".into());
    }
    no_returning(&returning)?;
    let from = match from {
        FromTable::WithFromKeyword(f) => f,
        FromTable::WithoutKeyword(_) => return Err(not_postgres("DELETE without FROM")),
    };
    let [single] = from.as_slice() else {
        return Err("DELETE FROM names exactly one table (join others in USING)".into());
    };
    let (table, alias) = target_of(map, single)?;
    table.check_op(Op::Delete)?;
    let t = target(map, table, alias);
    let head = format!("DELETE FROM {} USING", t.sql);
    Ok(capture_then_change(
        Op::Delete,
        t,
        &head,
        joined(&using.unwrap_or_default()),
        selection,
        tables,
        statement,
    ))
}

/// UPDATE and DELETE alike: capture the rows the statement's own FROM/USING
/// (`from`) and WHERE select, then change exactly those rows, joined to their
/// ctids, so the before-images are the rows changed. `head` is the statement up
/// to its FROM/USING keyword.
fn capture_then_change(
    op: Op,
    t: Target,
    head: &str,
    from: Vec<String>,
    selection: Option<Expr>,
    tables: BTreeSet<String>,
    statement: String,
) -> Plan {
    let where_ = selection.map_or_else(|| "TRUE".to_owned(), |e| format!("({e})"));
    let image = image_expr(&t.r);
    let capture = capture(&t, &from, &where_, &image);
    let mut change_from = from;
    change_from.push("unnest($1::text[]) AS __ltops_before(__ltops_ctid)".into());
    let change = PlanQuery {
        sql: format!(
            "{head} {} WHERE {where_} AND {r}.ctid = __ltops_before.__ltops_ctid::tid RETURNING __ltops_before.__ltops_ctid, {image}",
            change_from.join(", "),
            r = t.r
        ),
        params: vec![Param::Ctids],
    };
    sql_plan(op, t.table, tables, statement, Some(capture), change)
}

fn sql_plan(
    op: Op,
    table: TableRef,
    tables: BTreeSet<String>,
    statement: String,
    capture: Option<Capture>,
    change: PlanQuery,
) -> Plan {
    Plan {
        form: Form::Sql,
        op,
        table,
        tables,
        statement,
        capture,
        change,
        expect: None,
        set_values: serde_json::Map::new(),
    }
}

/// INSERT: no rows to capture; RETURNING gives every new row.
fn plan_insert(
    map: &DataMap,
    i: Insert,
    tables: BTreeSet<String>,
    statement: String,
) -> Result<Plan, Refusal> {
    let i = postgres_insert(i)?;
    if i.overriding {
        return Err(
            "OVERRIDING … VALUE is refused: let the database generate identity values".into(),
        );
    }
    no_returning(&i.returning)?;
    let name = match &i.table {
        TableObject::TableName(n) => n,
        _ => return Err("INSERT INTO names a table of the data map".into()),
    };
    let table = resolve(map, name)?;
    table.check_op(Op::Insert)?;
    let on = on_clause(i.on)?;
    let t = target(map, table, i.table_alias);
    let cols = if i.columns.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            i.columns
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let source = match i.source {
        Some(s) => s.to_string(),
        None => "DEFAULT VALUES".into(),
    };
    let change = PlanQuery {
        sql: format!(
            "INSERT INTO {}{cols} {source}{on} RETURNING NULL::text, {}",
            t.sql,
            image_expr(&t.r)
        ),
        params: vec![],
    };
    Ok(sql_plan(
        Op::Insert,
        t.table,
        tables,
        statement,
        None,
        change,
    ))
}

/// The parts of an INSERT that PostgreSQL has; the rest must be absent.
struct PgInsert {
    table: TableObject,
    table_alias: Option<Ident>,
    columns: Vec<ObjectName>,
    source: Option<Box<Query>>,
    on: Option<OnInsert>,
    returning: Option<Vec<sqlparser::ast::SelectItem>>,
    overriding: bool,
}

/// Refuses the INSERT syntax of other dialects, keeping what PostgreSQL has.
fn postgres_insert(i: Insert) -> Result<PgInsert, Refusal> {
    let Insert {
        insert_token: _,
        optimizer_hints,
        or,
        ignore,
        into: _,
        table,
        table_alias,
        columns,
        by_name,
        overwrite,
        source,
        assignments,
        partitioned,
        after_columns,
        overriding,
        has_table_keyword,
        on,
        returning,
        output,
        replace_into,
        priority,
        insert_alias,
        settings,
        format_clause,
        multi_table_insert_type,
        multi_table_into_clauses,
        multi_table_when_clauses,
        multi_table_else_clause,
    } = i;
    if !optimizer_hints.is_empty()
        || or.is_some()
        || ignore
        || by_name
        || overwrite
        || !assignments.is_empty()
        || partitioned.is_some()
        || !after_columns.is_empty()
        || has_table_keyword
        || output.is_some()
        || replace_into
        || priority.is_some()
        || insert_alias.is_some()
        || settings.is_some()
        || format_clause.is_some()
        || multi_table_insert_type.is_some()
        || !multi_table_into_clauses.is_empty()
        || !multi_table_when_clauses.is_empty()
        || multi_table_else_clause.is_some()
    {
        return Err(not_postgres("this INSERT"));
    }
    Ok(PgInsert {
        table,
        table_alias: table_alias.map(|a| a.alias),
        columns,
        source,
        on,
        returning,
        overriding: overriding.is_some(),
    })
}

/// `ON CONFLICT DO NOTHING` as SQL (or nothing); anything that would change
/// existing rows is refused, since their before-images are not captured.
fn on_clause(on: Option<OnInsert>) -> Result<String, Refusal> {
    match on {
        None => Ok(String::new()),
        Some(OnInsert::OnConflict(c)) => match c.action {
            OnConflictAction::DoNothing => Ok(OnInsert::OnConflict(c).to_string()),
            OnConflictAction::DoUpdate(_) => Err("INSERT … ON CONFLICT DO UPDATE changes existing rows without their before-images: use ON CONFLICT DO NOTHING, or an UPDATE".into()),
        },
        Some(OnInsert::DuplicateKeyUpdate(_)) => Err(not_postgres("ON DUPLICATE KEY UPDATE")),
        Some(_) => Err(not_postgres("this ON clause")),
    }
}

/// The first two words of a refused statement (`DELETE FROM`), to name it.
pub(super) fn leading_words(stmt: &Statement) -> String {
    let words: Vec<String> = stmt
        .to_string()
        .split_whitespace()
        .take(2)
        .map(str::to_uppercase)
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervention::tests::repo_map;

    fn ok(sql: &str) -> Plan {
        plan(&repo_map(), sql).unwrap_or_else(|e| panic!("{sql}: refused: {e}"))
    }

    fn refused(sql: &str) -> String {
        match plan(&repo_map(), sql) {
            Ok(p) => panic!("{sql}: accepted as {:?}", p.change.sql),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn update_is_captured_and_joined_to_the_captured_rows() {
        let p = ok(
            "update leads set status = 'lost', notes = lower(notes) where email ilike '%@example.com'",
        );
        assert_eq!(p.op, Op::Update);
        assert_eq!(p.table.name, "leads");
        let c = p.capture.as_ref().unwrap();
        assert!(
            c.select
                .sql
                .starts_with("SELECT \"leads\".ctid::text, (SELECT json_object_agg"),
            "{}",
            c.select.sql
        );
        assert!(
            c.select
                .sql
                .contains("FROM \"public\".\"leads\" WHERE (email ILIKE '%@example.com')"),
            "{}",
            c.select.sql
        );
        assert_eq!(c.lock_ref, "\"leads\"");
        assert!(p.change.sql.starts_with("UPDATE \"public\".\"leads\" SET status = 'lost', notes = lower(notes) FROM unnest($1::text[]) AS __ltops_before(__ltops_ctid) WHERE (email ILIKE '%@example.com') AND \"leads\".ctid = __ltops_before.__ltops_ctid::tid RETURNING __ltops_before.__ltops_ctid, "), "{}", p.change.sql);
        assert_eq!(p.change.params, vec![Param::Ctids]);
        assert_eq!(
            p.executed_sql(100)[0],
            format!("{} LIMIT 101 FOR UPDATE OF \"leads\"", c.select.sql)
        );
    }

    #[test]
    fn aliases_from_and_subqueries_are_kept_and_qualified() {
        let p = ok(
            "UPDATE public.leads AS l SET notes = s.to_tenant_id::text FROM lead_shares s WHERE s.lead_id = l.id AND l.id IN (SELECT stream_id FROM lead_events WHERE type = 'x')",
        );
        assert_eq!(
            p.tables.iter().cloned().collect::<Vec<_>>(),
            vec!["lead_events", "lead_shares", "leads"]
        );
        let c = p.capture.unwrap();
        assert_eq!(c.lock_ref, "l");
        assert!(
            c.select
                .sql
                .contains("FROM \"public\".\"leads\" AS l, \"public\".\"lead_shares\" s WHERE"),
            "{}",
            c.select.sql
        );
        assert!(
            c.select
                .sql
                .contains("SELECT stream_id FROM \"public\".\"lead_events\""),
            "{}",
            c.select.sql
        );
        assert!(
            p.change
                .sql
                .contains("FROM \"public\".\"lead_shares\" s, unnest($1::text[])"),
            "{}",
            p.change.sql
        );
    }

    #[test]
    fn delete_and_insert_plans() {
        let p = ok("DELETE FROM leads WHERE id = '00000000-0000-4000-8000-000000000001';");
        assert_eq!(p.op, Op::Delete);
        assert!(
            p.change
                .sql
                .starts_with("DELETE FROM \"public\".\"leads\" USING unnest($1::text[])"),
            "{}",
            p.change.sql
        );
        let p = ok(
            "INSERT INTO access_log (tenant_id, user_pseudonym, action) VALUES ('00000000-0000-4000-8000-000000000003', 'x', 'y') ON CONFLICT DO NOTHING",
        );
        assert_eq!(p.op, Op::Insert);
        assert!(p.capture.is_none());
        assert!(p.change.sql.starts_with("INSERT INTO \"public\".\"access_log\" (tenant_id, user_pseudonym, action) VALUES ('00000000-0000-4000-8000-000000000003', 'x', 'y') ON CONFLICT DO NOTHING RETURNING NULL::text, "), "{}", p.change.sql);
        let p = ok(
            "insert into leads as l (id, tenant_id) select gen_random_uuid(), tenant_id from leads where email = 'a'",
        );
        assert!(
            p.change.sql.contains("row_to_json(l.*)"),
            "{}",
            p.change.sql
        );
    }

    #[test]
    fn anything_but_one_insert_update_or_delete_is_refused() {
        for (sql, why) in [
            (
                "UPDATE leads SET status = 'lost'; DELETE FROM leads",
                "exactly one statement",
            ),
            (
                "UPDATE leads SET status = 'lost'; SELECT 1",
                "exactly one statement",
            ),
            ("DROP TABLE leads", "`DROP TABLE …` is refused"),
            ("ALTER TABLE leads DISABLE ROW LEVEL SECURITY", "is refused"),
            ("TRUNCATE leads", "`TRUNCATE LEADS …` is refused"),
            ("COPY leads TO '/tmp/x'", "is refused"),
            ("COPY leads FROM STDIN", "is refused"),
            ("SET ROLE postgres", "is refused"),
            (
                "SET app.tenant_id = '00000000-0000-4000-8000-000000000002'",
                "is refused",
            ),
            ("RESET app.tenant_id", "is refused"),
            ("RESET ROLE", "is refused"),
            ("SET SESSION AUTHORIZATION postgres", "is refused"),
            ("BEGIN", "is refused"),
            ("COMMIT", "is refused"),
            ("ROLLBACK", "is refused"),
            ("GRANT ALL ON leads TO public", "is refused"),
            ("CREATE TABLE x (a int)", "is refused"),
            ("SELECT * FROM leads", "a query changes nothing"),
            (
                "SELECT set_config('app.tenant_id', 'x', false)",
                "a query changes nothing",
            ),
            ("CALL p()", "is refused"),
            (
                "MERGE INTO leads USING leads s ON true WHEN MATCHED THEN DELETE",
                "is refused",
            ),
            ("", "empty"),
        ] {
            let e = refused(sql);
            assert!(e.contains(why), "{sql}: {e}");
        }
    }

    /// Every statement is refused, with `why` in the message.
    fn all_refused(cases: &[(&str, &str)]) {
        for (sql, why) in cases {
            let e = refused(sql);
            assert!(e.contains(why), "{sql}: expected `{why}` in: {e}");
        }
    }

    #[test]
    fn ctes_are_refused() {
        all_refused(&[
            (
                "WITH x AS (SELECT set_config('app.tenant_id', '00000000-0000-4000-8000-000000000002', true)) UPDATE leads SET status = 'lost'",
                "WITH",
            ),
            (
                "WITH d AS (DELETE FROM leads RETURNING id) UPDATE leads SET status = 'lost'",
                "WITH",
            ),
            (
                "UPDATE leads SET notes = (WITH x AS (SELECT 1) SELECT 'a' FROM x)",
                "WITH",
            ),
            (
                "INSERT INTO access_log (tenant_id, user_pseudonym, action) WITH d AS (DELETE FROM leads RETURNING tenant_id) SELECT tenant_id, 'x', 'y' FROM d",
                "WITH",
            ),
        ]);
    }

    #[test]
    fn session_changing_functions_are_refused() {
        all_refused(&[
            (
                "UPDATE leads SET notes = set_config('app.tenant_id', '00000000-0000-4000-8000-000000000002', false)",
                "`set_config`",
            ),
            (
                "UPDATE leads SET notes = pg_catalog.set_config('role', 'postgres', true)",
                "set_config",
            ),
            (
                "UPDATE leads SET notes = current_setting('app.tenant_id')",
                "current_setting",
            ),
            (
                "DELETE FROM leads WHERE id IN (SELECT id FROM dblink('host=x', 'select id from leads') AS t(id uuid))",
                "dblink",
            ),
            (
                "UPDATE leads SET notes = pg_read_file('/etc/passwd')",
                "pg_read_file",
            ),
            (
                "UPDATE leads SET notes = query_to_xml('select * from leads', true, true, '')::text",
                "query_to_xml",
            ),
            (
                "UPDATE leads SET notes = pg_terminate_backend(1)::text",
                "pg_terminate_backend",
            ),
            ("UPDATE leads SET notes = nextval('x')::text", "nextval"),
            (
                "UPDATE leads SET notes = public.lower(notes)",
                "public.lower",
            ),
            (
                "UPDATE leads SET notes = lo_import('/etc/passwd')::text",
                "lo_import",
            ),
        ]);
    }

    #[test]
    fn tables_outside_the_data_map_are_refused() {
        all_refused(&[
            (
                "UPDATE ltops_audit.events SET action = 'x'",
                "not a table of the data map",
            ),
            (
                "INSERT INTO ltops_audit.events (seq) VALUES (1)",
                "not a table of the data map",
            ),
            (
                "UPDATE leads SET notes = (SELECT key::text FROM ltops_audit.tenant_keys LIMIT 1)",
                "not a table of the data map",
            ),
            (
                "UPDATE leads SET notes = (SELECT rolpassword FROM pg_authid LIMIT 1)",
                "not a table of the data map",
            ),
            (
                "UPDATE leads SET notes = 'x' FROM pg_catalog.pg_roles r",
                "not a table of the data map",
            ),
            (
                "UPDATE other.leads SET notes = 'x'",
                "not a table of the data map",
            ),
            (
                "UPDATE \"Leads\" SET notes = 'x'",
                "not a table of the data map",
            ),
            (
                "UPDATE leads SET notes = 'x' WHERE id IN (SELECT id FROM generate_series(1, 3) AS g(id))",
                "table function",
            ),
            ("INSERT INTO leads TABLE leads", "cannot parse"),
        ]);
    }

    #[test]
    fn returning_parameters_reserved_names_and_locks_are_refused() {
        all_refused(&[
            ("UPDATE leads SET status = 'lost' RETURNING *", "RETURNING"),
            ("DELETE FROM leads WHERE id = $1", "parameter"),
            (
                "UPDATE leads SET notes = 'x' FROM leads __ltops_before",
                "reserved",
            ),
            (
                "UPDATE leads SET notes = (SELECT notes FROM leads FOR UPDATE)",
                "locking",
            ),
            (
                "SELECT * INTO new_table FROM leads",
                "a query changes nothing",
            ),
        ]);
    }

    #[test]
    fn changes_without_images_and_data_map_rules_are_refused() {
        all_refused(&[
            (
                "INSERT INTO leads (id, tenant_id) VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001') ON CONFLICT (id) DO UPDATE SET notes = 'x'",
                "DO UPDATE",
            ),
            ("DELETE FROM invoices WHERE id = 1", "§147 AO"),
            ("DELETE FROM tenants", "tenant erase"),
            (
                "INSERT INTO tenants (id, name) VALUES ('00000000-0000-4000-8000-000000000009', 'x')",
                "tenant",
            ),
            (
                "UPDATE leads SET notes = 'x' OPERATOR(public.+) 'y'",
                "operator",
            ),
        ]);
    }

    #[test]
    fn ordinary_statements_pass() {
        for sql in [
            "UPDATE leads SET status = 'won', updated_at = now() WHERE id = '00000000-0000-4000-8000-000000000001'",
            "UPDATE leads SET notes = coalesce(notes, '') || ' (corrected)' WHERE lower(email) LIKE '%@example.org' AND status IN ('new', 'contacted')",
            "UPDATE lead_events SET payload = jsonb_set(payload, '{email}', to_jsonb('x@y.z'::text)) WHERE stream_id = '00000000-0000-4000-8000-000000000001' AND payload ->> 'email' IS NOT NULL",
            "UPDATE invoices SET billing_email = NULL WHERE issued_on < DATE '2017-01-01'",
            "UPDATE tenants SET name = 'Muster GmbH'",
            "DELETE FROM lead_shares USING leads WHERE leads.id = lead_shares.lead_id AND leads.status = 'lost'",
            "DELETE FROM leads l WHERE NOT EXISTS (SELECT 1 FROM lead_events e WHERE e.stream_id = l.id) AND l.created_at < now() - INTERVAL '1 day'",
            "INSERT INTO access_log (tenant_id, user_pseudonym, action) SELECT tenant_id, 'ops', 'x' FROM leads WHERE id = '00000000-0000-4000-8000-000000000001'",
        ] {
            ok(sql);
        }
    }
}
