//! The parts every step is made of, measured alone in the same run as the steps:
//! one hop between two of the suite's processes (a health check on
//! verification-codes' own port), one read by key through a database's reader
//! pool, and one single-statement write through its writer, on the engine and
//! with the pool settings every service uses. From those and what each step
//! certainly does, a floor: the least CPU a step can take as the suite is built.

use beian_platform::storage::{Database, DatabaseLocation};
use serde::Serialize;

use crate::measure::Figures;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./probe-migrations");

/// Rows the read scenario reads, round robin.
const ROWS: i64 = 1_000;

/// A stored value the size of a flow's state.
const VALUE: &str = concat!(
    r#"{"domain":"order-123.example.cn","holder_account_id":"acc-0123456789abcdef","#,
    r#""sends":1,"step":{"CodeSent":{"code_id":"code-0123456789abcdef0123"}},"review":null}"#
);

/// The probe database, with [`ROWS`] rows to read and none written yet (it is opened for
/// each scenario that uses it).
pub async fn open(location: &DatabaseLocation) -> anyhow::Result<Database> {
    let db = Database::open(location, &MIGRATOR).await?;
    let mut writer = db.writer().await?;
    let mut tx = writer.begin().await?;
    sqlx::query("delete from probe_writes").execute(&mut *tx).await?;
    for id in 0..ROWS {
        sqlx::query("insert into probe (id, value) values ($1, $2) on conflict (id) do nothing")
            .bind(id)
            .bind(VALUE)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    drop(writer);
    Ok(db)
}

/// One read by primary key, as a flow's or a filing's is.
pub async fn read(db: &Database, i: u64) -> Result<(), sqlx::Error> {
    let id = i64::try_from(i).unwrap_or(0) % ROWS;
    sqlx::query("select value from probe where id = $1").bind(id).fetch_one(db.reader()).await.map(drop)
}

/// One insert on its own (its own commit), as a flow's creation or a pass's redemption is.
pub async fn write(db: &Database, i: u64) -> Result<(), sqlx::Error> {
    let id = i64::try_from(i).unwrap_or(i64::MAX);
    let mut writer = db.writer().await?;
    sqlx::query("insert into probe_writes (id, value) values ($1, $2)")
        .bind(id)
        .bind(VALUE)
        .execute(&mut *writer)
        .await
        .map(drop)
}

/// What a step certainly does besides the gateway call itself, counted from the code.
/// A lower bound: verification-codes' batched decisions count as their read alone, and
/// the outbox's delivery of the messages a step queues is not counted at all.
#[derive(Debug, Clone, Copy)]
struct Composition {
    step: &'static str,
    /// Calls from one of the suite's services to another.
    hops: u32,
    writes: u32,
    reads: u32,
    /// Issue 6's target as a multiple of health's CPU per call (at equal use of the cores).
    target: f64,
}

/// `gateway/src/workflows/account_lookup.rs` and the peers it calls.
const STEPS: [Composition; 3] = [
    // redeem the pass (verification-codes), find the filing (filing-registry) and classify the
    // domain (legacy-migration); the pass's redemption and the new flow are writes
    Composition { step: "start", hops: 3, writes: 2, reads: 2, target: 6.0 },
    // the filing's mobile (filing-registry) and the send (verification-codes); reads: the flow,
    // the filing, the code's decision; the flow's advance is a write
    Composition { step: "send", hops: 2, writes: 1, reads: 3, target: 10.0 },
    // the filing's mobile, the check, the completion (identity-recovery) and its redemption
    // (verification-codes); reads: the flow, the filing, the check's, the account, the
    // redemption's; two advances of the flow
    Composition { step: "verify", hops: 4, writes: 2, reads: 5, target: 10.0 },
];

/// A step's floor against what it measured and what the issue asks.
#[derive(Debug, Clone, Serialize)]
pub struct Floor {
    pub step: &'static str,
    pub floor_us: f64,
    pub floor_over_health: f64,
    pub measured_over_health: Option<f64>,
    pub target_over_health: f64,
}

/// The floors, when health and every part ran (with CPU figures) in this run.
pub fn floors<'f>(find: impl Fn(&str) -> Option<&'f Figures>) -> Vec<Floor> {
    let cpu = |name: &str| find(name).and_then(|f| f.cpu_us_per_request);
    let (Some(health), Some(hop), Some(read), Some(write)) =
        (cpu("health"), cpu("hop"), cpu("read"), cpu("write"))
    else {
        return Vec::new();
    };
    STEPS
        .iter()
        .map(|c| {
            let floor_us =
                health + f64::from(c.hops) * hop + f64::from(c.writes) * write + f64::from(c.reads) * read;
            Floor {
                step: c.step,
                floor_us,
                floor_over_health: floor_us / health,
                measured_over_health: cpu(c.step).map(|us| us / health),
                target_over_health: c.target,
            }
        })
        .collect()
}

pub fn describe(floor: &Floor) -> String {
    let c = STEPS.iter().find(|c| c.step == floor.step).copied();
    let parts = c.map_or_else(String::new, |c| {
        format!("health + {} hops + {} writes + {} reads = ", c.hops, c.writes, c.reads)
    });
    let measured = floor.measured_over_health.map_or_else(String::new, |m| format!("; measured {m:.1}×"));
    format!(
        "{:<7} floor {parts}{:.0} µs/call = {:.1}× health (target ≤ {:.0}×){measured}",
        floor.step, floor.floor_us, floor.floor_over_health, floor.target_over_health
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn figures(cpu: f64) -> Figures {
        Figures {
            requests: 1,
            concurrency: 1,
            seconds: 1.0,
            requests_per_sec: 1.0,
            p50_ms: 1.0,
            p99_ms: 1.0,
            errors: 0,
            error_kinds: BTreeMap::new(),
            cpu_us_per_request: Some(cpu),
            busy_cores: None,
        }
    }

    #[tokio::test]
    async fn the_probe_reads_and_writes_and_opens_again_for_the_next_scenario() -> anyhow::Result<()> {
        use beian_platform::testing::{Engine, ScratchDatabases};
        let scratch = ScratchDatabases::create(&Engine::from_env()?, "beian_load_probe", &["probe"]).await?;
        let location = scratch.location("probe")?;
        let db = open(&location).await?;
        read(&db, 1_234).await?;
        write(&db, 7).await?;
        db.close().await;
        // each scenario opens it afresh: the rows to read stay, the writes start over
        let db = open(&location).await?;
        read(&db, 999).await?;
        write(&db, 7).await?;
        db.close().await;
        Ok(())
    }

    #[test]
    fn a_floor_adds_the_parts_a_step_is_made_of() {
        let measured: BTreeMap<&str, Figures> = [
            ("health", figures(40.0)),
            ("hop", figures(40.0)),
            ("read", figures(10.0)),
            ("write", figures(20.0)),
            ("start", figures(400.0)),
        ]
        .into_iter()
        .collect();
        let floors = floors(|name| measured.get(name));
        let start = floors.iter().find(|f| f.step == "start").expect("start's floor");
        // 40 + 3 × 40 + 2 × 20 + 2 × 10
        assert!((start.floor_us - 220.0).abs() < 1e-9);
        assert!((start.floor_over_health - 5.5).abs() < 1e-9);
        assert_eq!(start.measured_over_health, Some(10.0));
        let send = floors.iter().find(|f| f.step == "send").expect("send's floor");
        assert_eq!(send.measured_over_health, None);
        // without a part there is no floor
        assert!(super::floors(|name| measured.get(name).filter(|_| name != "read")).is_empty());
    }
}
