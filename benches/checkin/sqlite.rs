//! The peer: Carnet's data in SQLite (members, cards and ledger tables, with the same lookups
//! indexed as Carnet's trees), and the check-in written as one SQLite transaction.

use anyhow::{Context, Result};
use carnet::domain::checkin::{CheckInDecision, CheckInRules, decide};
use carnet::domain::{
    ActivityId, Card, CardId, CardState, CardTypeId, Category, EventKind, LedgerEvent, Member,
    MemberCode, MemberId,
};
use carnet::store::{Store, WriteContext};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::path::Path;

/// Tables and the indexes that match Carnet's trees: `member_codes` (unique code),
/// `member_cards` (cards by member) and `card_events` (ledger by card).
const SCHEMA: &str = "
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    birth_date INTEGER,
    category TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    archived INTEGER NOT NULL,
    last_visit INTEGER
);
CREATE TABLE cards (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    type_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    sessions_total INTEGER NOT NULL,
    sold_on INTEGER NOT NULL,
    expires_on INTEGER,
    activities TEXT NOT NULL,
    sessions_remaining INTEGER NOT NULL,
    state INTEGER NOT NULL
);
CREATE TABLE ledger (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    operator TEXT NOT NULL,
    terminal TEXT NOT NULL,
    card_id INTEGER NOT NULL REFERENCES cards(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    kind TEXT NOT NULL,
    activity INTEGER,
    amount INTEGER,
    price_cents INTEGER
);";

const INDEXES: &str = "
CREATE UNIQUE INDEX members_code ON members(code);
CREATE INDEX cards_member ON cards(member_id);
CREATE INDEX ledger_card ON ledger(card_id);";

const MEMBER_COLUMNS: &str = "id, code, first_name, last_name, email, phone, birth_date, \
     category, notes, created_at, archived, last_visit";
const CARD_COLUMNS: &str = "id, member_id, type_id, name, price_cents, sessions_total, sold_on, \
     expires_on, activities, sessions_remaining, state";

/// Copies every member, card and ledger event of `store` into a new SQLite file at `path`.
/// Returns the number of rows written.
pub fn load(path: &Path, store: &Store) -> Result<usize> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // The load is a setup step, so durability settings for the run are set in `open`.
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.execute_batch(SCHEMA)?;

    let tx = conn.transaction()?;
    let mut rows = 0;
    for member in store.members() {
        insert_member(&tx, &member?)?;
        rows += 1;
    }
    for card in store.cards() {
        insert_card(&tx, &card?)?;
        rows += 1;
    }
    for event in store.ledger() {
        insert_event(&tx, &event?)?;
        rows += 1;
    }
    tx.commit()?;
    conn.execute_batch(INDEXES)?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(rows)
}

/// Opens the database as the run uses it: WAL, and `synchronous=FULL` so a commit syncs the
/// WAL before it returns.
pub fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// Mirrors cards sold in Carnet before the run, with their sale events.
pub fn add_sold_cards(conn: &mut Connection, sales: &[(Card, LedgerEvent)]) -> Result<()> {
    let tx = conn.transaction()?;
    for (card, event) in sales {
        insert_card(&tx, card)?;
        insert_event(&tx, event)?;
    }
    tx.commit()?;
    Ok(())
}

/// Checks a member in as Carnet does: reads the member by code and the member's cards,
/// decides with Carnet's rules, then updates the card, appends the ledger row and sets the
/// last visit, in one transaction. Returns whether a session was deducted.
pub fn check_in(
    conn: &mut Connection,
    code: &str,
    rules: &CheckInRules,
    context: &WriteContext,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let member = tx
        .prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE code = ?1"
        ))?
        .query_row([code], member_from_row)
        .optional()?;
    let Some(member) = member else {
        return Ok(false);
    };
    let cards = tx
        .prepare_cached(&format!(
            "SELECT {CARD_COLUMNS} FROM cards WHERE member_id = ?1"
        ))?
        .query_map([member.id.0 as i64], card_from_row)?
        .collect::<Result<Vec<Card>, _>>()?;

    let CheckInDecision::Charge(card) = decide(member.archived, &cards, member.last_visit, rules)
    else {
        return Ok(false);
    };
    let remaining = card.sessions_remaining - 1;
    tx.prepare_cached("UPDATE cards SET sessions_remaining = ?2 WHERE id = ?1")?
        .execute(params![card.id.0 as i64, remaining])?;
    tx.prepare_cached(
        "INSERT INTO ledger (at, operator, terminal, card_id, member_id, kind, activity, amount) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'used', ?6, ?7)",
    )?
    .execute(params![
        context.now.timestamp_micros(),
        context.operator,
        context.terminal,
        card.id.0 as i64,
        member.id.0 as i64,
        rules.activity.map(|a| a.0 as i64),
        remaining
    ])?;
    tx.prepare_cached("UPDATE members SET last_visit = ?2 WHERE id = ?1")?
        .execute(params![member.id.0 as i64, context.now.timestamp_micros()])?;
    tx.commit()?;
    Ok(true)
}

fn insert_member(conn: &Connection, member: &Member) -> Result<()> {
    let category = match &member.category {
        Category::Adult => "adult",
        Category::Child => "child",
        Category::Other(name) => name.as_str(),
    };
    conn.prepare_cached(&format!(
        "INSERT INTO members ({MEMBER_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params![
        member.id.0 as i64,
        member.code.as_str(),
        member.first_name,
        member.last_name,
        member.email,
        member.phone,
        member.birth_date.map(|d| d.num_days_from_ce()),
        category,
        member.notes,
        member.created_at.timestamp_micros(),
        member.archived,
        member.last_visit.map(|at| at.timestamp_micros()),
    ])
    .with_context(|| format!("inserting member {}", member.id.0))?;
    Ok(())
}

fn insert_card(conn: &Connection, card: &Card) -> Result<()> {
    let activities: Vec<String> = card.activities.iter().map(|a| a.0.to_string()).collect();
    let state = match card.state {
        CardState::Open => 0,
        CardState::Cancelled => 1,
        CardState::Refunded => 2,
    };
    conn.prepare_cached(&format!(
        "INSERT INTO cards ({CARD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))?
    .execute(params![
        card.id.0 as i64,
        card.member_id.0 as i64,
        card.type_id.0 as i64,
        card.name,
        card.price_cents,
        card.sessions_total,
        card.sold_on.num_days_from_ce(),
        card.expires_on.map(|d| d.num_days_from_ce()),
        activities.join(","),
        card.sessions_remaining,
        state,
    ])
    .with_context(|| format!("inserting card {}", card.id.0))?;
    Ok(())
}

fn insert_event(conn: &Connection, event: &LedgerEvent) -> Result<()> {
    let (kind, activity, amount, price_cents) = match &event.kind {
        EventKind::CardSold {
            sessions,
            price_cents,
        } => ("sold", None, Some(i64::from(*sessions)), Some(*price_cents)),
        EventKind::SessionUsed {
            activity,
            remaining_after,
        } => (
            "used",
            activity.map(|a| a.0 as i64),
            Some(i64::from(*remaining_after)),
            None,
        ),
        // The demo writes only sales and check-ins.
        _ => ("other", None, None, None),
    };
    conn.prepare_cached(
        "INSERT INTO ledger (id, at, operator, terminal, card_id, member_id, kind, activity, \
         amount, price_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        event.id.0 as i64,
        event.at.timestamp_micros(),
        event.operator,
        event.terminal,
        event.card_id.0 as i64,
        event.member_id.0 as i64,
        kind,
        activity,
        amount,
        price_cents,
    ])
    .with_context(|| format!("inserting event {}", event.id.0))?;
    Ok(())
}

fn member_from_row(row: &Row) -> rusqlite::Result<Member> {
    let category: String = row.get(7)?;
    Ok(Member {
        id: MemberId(row.get::<_, i64>(0)? as u64),
        code: MemberCode::parse(&row.get::<_, String>(1)?).ok_or(
            rusqlite::Error::InvalidColumnType(1, "code".into(), rusqlite::types::Type::Text),
        )?,
        first_name: row.get(2)?,
        last_name: row.get(3)?,
        email: row.get(4)?,
        phone: row.get(5)?,
        birth_date: row.get::<_, Option<i32>>(6)?.and_then(date_from_days),
        category: match category.as_str() {
            "adult" => Category::Adult,
            "child" => Category::Child,
            _ => Category::Other(category),
        },
        notes: row.get(8)?,
        created_at: instant_from_micros(row.get(9)?),
        archived: row.get(10)?,
        last_visit: row.get::<_, Option<i64>>(11)?.map(instant_from_micros),
    })
}

fn card_from_row(row: &Row) -> rusqlite::Result<Card> {
    let activities: String = row.get(8)?;
    Ok(Card {
        id: CardId(row.get::<_, i64>(0)? as u64),
        member_id: MemberId(row.get::<_, i64>(1)? as u64),
        type_id: CardTypeId(row.get::<_, i64>(2)? as u64),
        name: row.get(3)?,
        price_cents: row.get(4)?,
        sessions_total: row.get(5)?,
        sold_on: date_from_days(row.get(6)?).unwrap_or_default(),
        expires_on: row.get::<_, Option<i32>>(7)?.and_then(date_from_days),
        activities: activities
            .split(',')
            .filter_map(|id| id.parse().ok().map(ActivityId))
            .collect(),
        sessions_remaining: row.get(9)?,
        state: match row.get::<_, i64>(10)? {
            0 => CardState::Open,
            1 => CardState::Cancelled,
            _ => CardState::Refunded,
        },
    })
}

fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days)
}

fn instant_from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}
