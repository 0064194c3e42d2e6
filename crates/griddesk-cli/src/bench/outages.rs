//! `griddesk bench outages`: the outage figures of BENCHMARKS.md, measured through the HTTP API of
//! an in-process server (what a dispatcher's client or the call-centre system sees), each next to
//! a peer run the same way in the same run: the plain SQL that copies the same customers into a
//! table (the floor for "compute and store the affected customers"), and a repair-free work
//! order (intake without inference).

use super::{percentile, report};
use anyhow::{Context, Result, bail};
use griddesk_demo::{DemoConfig, Generator};
use griddesk_domain::billing::Period;
use griddesk_domain::customer::Connection;
use griddesk_domain::org::Role;
use griddesk_domain::values::Code;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub async fn run(
    storage: &crate::Storage,
    customers: u64,
    seed: u64,
    samples: usize,
    calls_per_second: u32,
) -> Result<()> {
    if customers == 0 || samples == 0 || calls_per_second == 0 {
        bail!("--customers, --samples and --calls-per-second must be positive");
    }
    let store = storage.open().await?;
    let url = storage.url()?;
    let lake = griddesk_lake::Lake::open(&storage.lake_dir()).context("opening the lake")?;
    // Enqueueing is measured, not delivery: the outbox dispatcher stays off.
    let config = griddesk_server::ServerConfig {
        dispatch_every: None,
        ..Default::default()
    };
    let min_calls = config.inference.min_calls;
    let log = std::env::temp_dir().join(format!("griddesk-bench-{}.log", std::process::id()));
    let sms = Arc::new(griddesk_server::notify::LogFileNotifier::new(log));
    let state = griddesk_server::AppState::new(store.clone(), Arc::new(lake), config, sms);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(griddesk_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    let client = dispatcher_client(store.as_ref()).await?;
    let api = Api { client, base };

    let generator = Generator::new(DemoConfig::new(customers, seed, Period::parse("2026-10")?));
    let company = generator.company();
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(0x0C7A);
    println!(
        "backend: {}  customers: {customers}  feeders: {}  substations: {}",
        store.backend(),
        company.feeders.len(),
        company.substations.len()
    );

    let peer = Peer::connect(&url).await?;
    let mut feeders: Vec<&Code> = company.feeders.iter().map(|f| &f.code).collect();
    feeders.shuffle(&mut rng);
    feeders.truncate(samples);
    let mut substations: Vec<&Code> = company.substations.iter().map(|s| &s.code).collect();
    substations.shuffle(&mut rng);
    substations.truncate(samples.div_ceil(2));
    for (label, scope, codes) in [
        ("feeder", "feeders", &feeders),
        ("substation", "substation", &substations),
    ] {
        let mut peer_t = Vec::new();
        let mut record = Vec::new();
        let mut notify = Vec::new();
        let mut affected = Vec::new();
        for code in codes.iter() {
            let t = Instant::now();
            let n = peer.copy_customers(scope, code.as_str()).await?;
            peer_t.push(t.elapsed());
            let (rec, ann, count) = api.planned_outage(scope, code.as_str()).await?;
            if count != n {
                // Dual-supply customers stay in when one feeder is out; anything else is a bug.
                println!("  {label} {code}: {count} affected (peer copied {n}: dual supply)");
            }
            record.push(rec);
            notify.push(ann);
            affected.push(count);
        }
        affected.sort_unstable();
        println!(
            "{label} outages: {} samples, affected customers median {} (max {})",
            affected.len(),
            affected[affected.len() / 2],
            affected.last().copied().unwrap_or(0)
        );
        let p = report(&format!("peer: INSERT…SELECT {label}"), peer_t, None);
        report(&format!("{label}: record + impact"), record, Some(p));
        report(&format!("{label}: announce, enqueue"), notify, Some(p));
    }

    inference(
        &api,
        &generator,
        &company,
        customers,
        samples,
        min_calls,
        calls_per_second,
        &mut rng,
    )
    .await
}

/// An API token acting as a dispatcher for the whole company, written straight to the store.
async fn dispatcher_client(store: &dyn griddesk_store::Store) -> Result<reqwest::Client> {
    let secret = griddesk_server::auth::random_secret();
    let now = jiff::Timestamp::now();
    let actor = griddesk_domain::access::Actor::System {
        name: "bench".into(),
    };
    let company = store
        .list_org_units()
        .await?
        .into_iter()
        .find(|u| u.parent.is_none())
        .context("no company unit: generate the database with demo-data first")?;
    store
        .create_api_token(
            &griddesk_store::access::NewApiToken {
                name: "bench".into(),
                token_hash: griddesk_server::auth::secret_hash(&secret),
                role: Role::Dispatcher,
                org_unit: company.code,
                created_by: "system:bench".into(),
                created_at: now,
                expires_at: Some(now + jiff::SignedDuration::from_hours(2)),
            },
            &griddesk_domain::access::AuditEntry::new(
                &actor,
                griddesk_domain::access::AuditAction::TokenCreated,
                "api_token",
                "",
                "bench",
                now,
            ),
        )
        .await?;
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {secret}").parse()?,
    );
    Ok(reqwest::Client::builder()
        .default_headers(h)
        .pool_max_idle_per_host(256)
        .build()?)
}

#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn post(&self, path: &str, body: &Value, if_match: Option<i64>) -> Result<Value> {
        let mut req = self.client.post(format!("{}{path}", self.base)).json(body);
        if let Some(v) = if_match {
            req = req.header(reqwest::header::IF_MATCH, format!("\"{v}\""));
        }
        let resp = req.send().await?;
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST {path}: {status}: {v}");
        }
        Ok(v)
    }

    async fn get(&self, path: &str) -> Result<Value> {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await?;
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("GET {path}: {status}: {v}");
        }
        Ok(v)
    }

    /// Records a planned outage on one device, then announces it; returns both latencies and
    /// the affected count. The outage is cancelled afterwards so the next sample starts clean.
    async fn planned_outage(&self, scope: &str, code: &str) -> Result<(Duration, Duration, u64)> {
        let start = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 8);
        let scope = if scope == "substation" {
            json!({"substation": code})
        } else {
            json!({"feeders": [code]})
        };
        let body = json!({
            "kind": "planned", "title": "基准测试检修", "cause": "设备检修",
            "scope": scope,
            "start": start.to_string(),
            "eta": (start + jiff::SignedDuration::from_hours(8)).to_string(),
        });
        let t = Instant::now();
        let o = self.post("/api/v1/outages", &body, None).await?;
        let record = t.elapsed();
        let id = o["id"].as_i64().context("outage id")?;
        let version = o["version"].as_i64().context("outage version")?;
        let affected = o["affected"].as_u64().context("affected count")?;
        let path = format!("/api/v1/outages/{id}/actions");
        let t = Instant::now();
        let o = self
            .post(&path, &json!({"action": "notify"}), Some(version))
            .await?;
        let notify = t.elapsed();
        let version = o["version"].as_i64().context("outage version")?;
        self.post(&path, &json!({"action": "cancel"}), Some(version))
            .await?;
        Ok((record, notify, affected))
    }

    async fn call(&self, customer_no: &str, order_type: &str) -> Result<Value> {
        let body = json!({
            "order_type": order_type, "channel": "phone", "customer_no": customer_no,
            "contact_name": "报修人", "subject": "家里停电了",
        });
        self.post("/api/v1/work-orders", &body, None).await
    }
}

/// The peer's own connection, so its timings carry no GridDesk code.
enum Peer {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Peer {
    async fn connect(url: &str) -> Result<Self> {
        let setup = "CREATE TABLE IF NOT EXISTS bench_peer_affected (customer_no TEXT NOT NULL)";
        Ok(if url.starts_with("postgres") {
            let p = sqlx::PgPool::connect(url)
                .await
                .context("peer connection")?;
            sqlx::query(setup).execute(&p).await?;
            Peer::Postgres(p)
        } else {
            let url = if url.starts_with("sqlite:") {
                url.to_owned()
            } else {
                format!("sqlite://{url}")
            };
            let p = sqlx::SqlitePool::connect(&url)
                .await
                .context("peer connection")?;
            sqlx::query(setup).execute(&p).await?;
            Peer::Sqlite(p)
        })
    }

    /// Copies the customers on a feeder or substation into a table, the way a developer would
    /// write it in one statement (no dual-supply rule, no events, no audit); returns the count.
    async fn copy_customers(&self, scope: &str, code: &str) -> Result<u64> {
        let feeders = if scope == "substation" {
            "SELECT code FROM feeder WHERE substation = $1"
        } else {
            "SELECT $1"
        };
        let sql = format!(
            "INSERT INTO bench_peer_affected (customer_no) \
             SELECT c.customer_no FROM transformer_area ta JOIN customer c ON c.area_code = ta.code \
             WHERE ta.feeder IN ({feeders}) \
             UNION ALL SELECT customer_no FROM customer \
             WHERE feeder_code IN ({feeders}) AND area_code IS NULL"
        );
        let clear = "DELETE FROM bench_peer_affected";
        Ok(match self {
            Peer::Sqlite(p) => {
                let n = sqlx::query(&sql)
                    .bind(code)
                    .execute(p)
                    .await?
                    .rows_affected();
                sqlx::query(clear).execute(p).await?;
                n
            }
            Peer::Postgres(p) => {
                let n = sqlx::query(&sql)
                    .bind(code)
                    .execute(p)
                    .await?
                    .rows_affected();
                sqlx::query(clear).execute(p).await?;
                n
            }
        })
    }
}

/// Latency of the repair call that makes `min_calls` under one transformer area (the call whose
/// response already carries the suspected outage), while background repair calls from customers
/// on other feeders arrive at `rate` per second.
#[allow(clippy::too_many_arguments)]
async fn inference(
    api: &Api,
    generator: &Generator,
    company: &griddesk_demo::Company,
    customers: u64,
    samples: usize,
    min_calls: usize,
    rate: u32,
    rng: &mut rand_pcg::Pcg64Mcg,
) -> Result<()> {
    // Areas to raise outages on, with the customers that will call; their feeders get no
    // background calls, so each suspicion is raised by the measured calls alone.
    let mut feeders_used: BTreeSet<&Code> = BTreeSet::new();
    let mut targets: Vec<Vec<String>> = Vec::new();
    let mut tries = 0;
    while targets.len() < samples && tries < samples * 200 {
        tries += 1;
        let i = rng.random_range(0..customers);
        let c = generator.customers(i..i + 1).remove(0);
        let Connection::Area { area } = &c.connection else {
            continue;
        };
        let Some(a) = company.areas.iter().find(|x| &x.code == area) else {
            continue;
        };
        if feeders_used.contains(&a.feeder) {
            continue;
        }
        let callers: Vec<String> = (i.saturating_sub(400)..(i + 400).min(customers))
            .flat_map(|j| generator.customers(j..j + 1))
            .filter(|x| matches!(&x.connection, Connection::Area { area: b } if b == area))
            .map(|x| x.customer_no.to_string())
            .take(min_calls)
            .collect();
        if callers.len() == min_calls {
            feeders_used.insert(&a.feeder);
            targets.push(callers);
        }
    }
    if targets.is_empty() {
        bail!("found no transformer area with {min_calls} customers to call from");
    }
    let quiet: BTreeSet<Code> = feeders_used.into_iter().cloned().collect();
    let area_feeder: std::collections::HashMap<&Code, &Code> =
        company.areas.iter().map(|a| (&a.code, &a.feeder)).collect();
    // Background callers: a pool drawn once, none on a quiet feeder.
    let mut background = Vec::new();
    while background.len() < 20_000.min(customers as usize) {
        let i = rng.random_range(0..customers);
        let c = generator.customers(i..i + 1).remove(0);
        let feeder = match &c.connection {
            Connection::Area { area } => area_feeder.get(area).copied(),
            Connection::Feeder { feeder, .. } => Some(feeder),
        };
        if feeder.is_some_and(|f| !quiet.contains(f)) {
            background.push(c.customer_no.to_string());
        }
    }

    // Peer under no load first: intake of a consultation (no inference).
    let sent = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::OnceLock::<String>::new());
    let stop = Arc::new(tokio::sync::Notify::new());
    let load = {
        let (api, sent, failed, stop) = (api.clone(), sent.clone(), failed.clone(), stop.clone());
        let first_error = first_error.clone();
        let background = Arc::new(background);
        tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(Duration::from_micros(1_000_000 / u64::from(rate)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let inflight = Arc::new(tokio::sync::Semaphore::new(256));
            let mut k = 0usize;
            loop {
                tokio::select! {
                    _ = stop.notified() => break,
                    _ = tick.tick() => {}
                }
                let Ok(permit) = inflight.clone().acquire_owned().await else {
                    break;
                };
                let (api, sent, failed) = (api.clone(), sent.clone(), failed.clone());
                let first_error = first_error.clone();
                let no = background[k % background.len()].clone();
                k += 1;
                tokio::spawn(async move {
                    match api.call(&no, "fault_repair").await {
                        Ok(_) => sent.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            let _ = first_error.set(e.to_string());
                            failed.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                    drop(permit);
                });
            }
        })
    };
    let began = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut raise = Vec::new();
    let mut peer = Vec::new();
    let mut raised = 0;
    for callers in &targets {
        let t = Instant::now();
        api.call(&callers[0], "consultation").await?;
        peer.push(t.elapsed());
        for no in &callers[..min_calls - 1] {
            api.call(no, "fault_repair").await?;
        }
        let t = Instant::now();
        let o = api.call(&callers[min_calls - 1], "fault_repair").await?;
        raise.push(t.elapsed());
        raised += usize::from(!o["outage"].is_null());
    }
    let secs = began.elapsed().as_secs_f64();
    stop.notify_one();
    load.await?;
    let (ok, bad) = (sent.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    println!(
        "background repair calls: {ok} accepted, {bad} failed in {secs:.1} s = {:.0} calls/s (asked {rate}/s)",
        ok as f64 / secs
    );
    if let Some(e) = first_error.get() {
        println!("first failed background call: {e}");
    }
    // Random calls from all over the company are a storm by the rule of D3: three callers in
    // two places of one feeder within the window suspect that feeder. What the background raised
    // is part of the load the measured calls met.
    let open = api.get("/api/v1/outages").await?;
    let mut storm: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for o in open.as_array().into_iter().flatten() {
        if o["status"]["code"] == "suspected" {
            let e = storm
                .entry(o["scope_kind"].as_str().unwrap_or("?").to_owned())
                .or_default();
            e.0 += 1;
            e.1 += o["affected"].as_u64().unwrap_or(0);
        }
    }
    let storm: Vec<String> = storm
        .iter()
        .map(|(k, (n, c))| format!("{n} on {k} ({c} customers)"))
        .collect();
    println!(
        "suspected outages open after the load: {}",
        storm.join(", ")
    );
    let p = report("peer: consultation intake", peer, None);
    let mut sorted = raise.clone();
    sorted.sort();
    report(
        &format!("inference: call #{min_calls} -> outage"),
        raise,
        Some(p),
    );
    println!(
        "{:<28} {raised}/{} calls came back inside a suspected outage (max {:.1} ms)",
        "",
        targets.len(),
        percentile(&sorted, 1.0).as_secs_f64() * 1e3
    );
    Ok(())
}
