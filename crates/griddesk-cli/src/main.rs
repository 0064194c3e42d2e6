//! `griddesk`: the thin command-line edge of GridDesk. It parses arguments, opens the store and
//! the lake, and hands over to the library crates; no business rule lives here.

mod bench;
mod progress;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use griddesk_domain::billing::Period;
use griddesk_store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "griddesk",
    version,
    about = "GridDesk — customer service platform for power supply companies (供电客户服务平台)"
)]
struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Storage {
    /// Database: a SQLite file path, sqlite://PATH, or postgres://USER@HOST/DB.
    /// Default: <data-dir>/griddesk.db.
    #[arg(long, env = "GRIDDESK_DATABASE_URL")]
    database: Option<String>,
    /// Directory for the embedded database and the Parquet lake.
    #[arg(long, env = "GRIDDESK_DATA_DIR", default_value = "griddesk-data")]
    data_dir: PathBuf,
    /// Parquet lake directory. Default: <data-dir>/lake.
    #[arg(long, env = "GRIDDESK_LAKE_DIR")]
    lake: Option<PathBuf>,
}

impl Storage {
    fn lake_dir(&self) -> PathBuf {
        self.lake
            .clone()
            .unwrap_or_else(|| self.data_dir.join("lake"))
    }

    /// The database URL or SQLite path, creating the data directory for the default file.
    fn url(&self) -> Result<String> {
        Ok(match &self.database {
            Some(u) => u.clone(),
            None => {
                std::fs::create_dir_all(&self.data_dir)
                    .with_context(|| format!("creating {}", self.data_dir.display()))?;
                self.data_dir.join("griddesk.db").display().to_string()
            }
        })
    }

    async fn open(&self) -> Result<Arc<dyn Store>> {
        open_store(&self.url()?).await
    }
}

/// Opens the backend the URL names: PostgreSQL for postgres:// URLs, SQLite otherwise.
async fn open_store(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let s = griddesk_postgres::PostgresStore::connect(url)
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Arc::new(s))
    } else if url.starts_with("sqlite:") {
        let s = griddesk_sqlite::SqliteStore::open_url(url)
            .await
            .context("opening SQLite database")?;
        Ok(Arc::new(s))
    } else {
        let s = griddesk_sqlite::SqliteStore::open(Path::new(url))
            .await
            .with_context(|| format!("opening SQLite database {url}"))?;
        Ok(Arc::new(s))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (API under /api/v1, console under /console).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "GRIDDESK_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Create a demo company on first start if the database holds no customers.
        #[arg(long)]
        demo: bool,
        /// Size of the demo company created by --demo.
        #[arg(long, default_value_t = 5_000)]
        demo_customers: u64,
        /// The company's service commitments (TOML; see data/sla.toml). Default: D2's.
        #[arg(long, env = "GRIDDESK_SLA_CONFIG")]
        sla_config: Option<PathBuf>,
        /// SMS gateway webhook, http:// or https:// (POST JSON with an Idempotency-Key header).
        /// Default: SMS go to the notification log file in the data directory.
        #[arg(long, env = "GRIDDESK_SMS_WEBHOOK")]
        sms_webhook: Option<String>,
        /// SMTP relay for e-mail notices: smtp://[user:password@]host[:port] (plain),
        /// smtp://…?tls=required (STARTTLS) or smtps://… (TLS). Default: the SMS channel.
        #[arg(long, env = "GRIDDESK_SMTP_URL")]
        smtp: Option<String>,
        /// Sender address of e-mail notices.
        #[arg(
            long,
            env = "GRIDDESK_MAIL_FROM",
            default_value = "95598@griddesk.invalid"
        )]
        mail_from: String,
        /// Days within which a second planned outage of the same area is flagged in the
        /// outage plans.
        #[arg(long, env = "GRIDDESK_REPEAT_WINDOW_DAYS", default_value_t = 30)]
        repeat_window_days: i64,
        #[command(flatten)]
        storage: Storage,
    },
    /// Generate a deterministic synthetic power supply company (archive + lake).
    DemoData {
        #[arg(long, default_value_t = 10_000)]
        customers: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Last billed month, YYYY-MM. Default: the month before the current one.
        #[arg(long)]
        last_month: Option<String>,
        /// Months of bills and payments.
        #[arg(long, default_value_t = 36)]
        months: u32,
        /// Days of daily meter readings.
        #[arg(long, default_value_t = 31)]
        reading_days: u32,
        #[command(flatten)]
        storage: Storage,
    },
    /// Import customers, topology, bills, payments, readings, outage plans or the load-limiting
    /// sequence from CSV or Excel (.xlsx).
    Import {
        /// org-units, staff, substations, feeders, areas, customers, theft-cases, bills, payments,
        /// readings, outage-plans, orderly-sequence
        #[arg(long)]
        kind: String,
        /// Import the good rows and write the bad ones to a reject file (default: all-or-nothing).
        #[arg(long)]
        skip_bad: bool,
        /// Where --skip-bad writes rejected rows. Default: <file>.rejects.csv.
        #[arg(long)]
        reject_file: Option<PathBuf>,
        files: Vec<PathBuf>,
        #[command(flatten)]
        storage: Storage,
    },
    /// Staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The knowledge base (一次性告知 articles).
    #[command(subcommand)]
    Knowledge(KnowledgeCommand),
    /// Customer value segmentation (D4) of a month: raw figures from the lake, scores, value
    /// matrix, ABC pyramid and tiers, stored for the period (a re-run replaces it).
    Segment {
        /// The month to segment, YYYY-MM.
        #[arg(long)]
        period: String,
        /// Segmentation configuration (TOML; see data/segmentation.toml). Default: the seed's.
        #[arg(long, env = "GRIDDESK_SEGMENTATION_CONFIG")]
        config: Option<PathBuf>,
        /// Also write the results as an Excel workbook.
        #[arg(long)]
        export_xlsx: Option<PathBuf>,
        /// Also write the results as a Parquet file.
        #[arg(long)]
        export_parquet: Option<PathBuf>,
        #[command(flatten)]
        storage: Storage,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        storage: Storage,
    },
    /// Benchmarks (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Set a staff member's console password, read from the first line of standard input
    /// (e.g. `griddesk staff set-password admin01 < pw.txt`). Clears a lockout. Audited.
    SetPassword {
        login: String,
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Subcommand)]
enum KnowledgeCommand {
    /// Load articles from TOML files laid out like data/knowledge.toml (default: the starter
    /// articles shipped with GridDesk). Articles whose title exists already are left as they are.
    Import {
        files: Vec<PathBuf>,
        #[command(flatten)]
        storage: Storage,
    },
}

/// Loads knowledge articles, reporting how many were new.
async fn import_knowledge(store: &dyn Store, name: &str, text: &str) -> Result<()> {
    let drafts =
        griddesk_server::api_knowledge::parse_articles(name, text).map_err(anyhow::Error::msg)?;
    let (created, skipped) =
        griddesk_server::api_knowledge::import_articles(store, &drafts, "system:griddesk-cli")
            .await?;
    println!("{name}: {created} articles added, {skipped} already there");
    Ok(())
}

/// Password of the demo accounts that `serve --demo` prints.
const DEMO_PASSWORD: &str = "GridDesk-demo-2026";

/// The CLI as an actor of the audit trail.
fn cli_actor() -> griddesk_domain::access::Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    griddesk_domain::access::Actor::System {
        name: format!("cli ({user})"),
    }
}

fn cli_audit(
    action: griddesk_domain::access::AuditAction,
    target_kind: &str,
    target: &str,
) -> griddesk_domain::access::AuditEntry {
    griddesk_domain::access::AuditEntry::new(
        &cli_actor(),
        action,
        target_kind,
        target,
        "cli",
        jiff::Timestamp::now(),
    )
}

/// Hashes and stores a password (argon2id, server defaults), with its audit record.
async fn set_password(store: &dyn Store, login: &str, password: &str) -> Result<()> {
    use griddesk_domain::access::AuditAction;
    let login = griddesk_domain::values::Code::parse(login)?;
    griddesk_server::auth::check_new_password(password)
        .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
    let cfg = griddesk_server::auth::AuthConfig::default();
    let hash = griddesk_server::auth::hash_password(&cfg, password)
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    store
        .set_password(
            &login,
            &hash,
            &cli_audit(AuditAction::PasswordSet, "staff", login.as_str()),
        )
        .await?;
    Ok(())
}

/// Gives the first account of every role the demo password, unless it has a password already.
async fn demo_logins(store: &dyn Store) -> Result<Vec<griddesk_domain::org::Staff>> {
    let staff = store.list_staff().await?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for s in staff.into_iter().filter(|s| seen.insert(s.role)) {
        if store.credential(&s.login).await?.is_none() {
            set_password(store, s.login.as_str(), DEMO_PASSWORD).await?;
        }
        out.push(s);
    }
    Ok(out)
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The month before the current one in Asia/Shanghai: the last month a billing run has closed.
/// Today in the company's time zone.
fn today() -> jiff::civil::Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
        .date()
}

fn last_closed_month() -> Period {
    Period::of(today()).add_months(-1)
}

/// A demo company as of today: last month billed, this month's payments and late fees up to
/// today (not up to the 28th, which may lie in the future).
fn demo_today(customers: u64, seed: u64) -> griddesk_demo::DemoConfig {
    let mut cfg = griddesk_demo::DemoConfig::new(customers, seed, last_closed_month());
    cfg.as_of = today();
    cfg
}

async fn demo_data(
    store: &dyn Store,
    lake: &Path,
    cfg: &griddesk_demo::DemoConfig,
) -> Result<griddesk_demo::DemoSummary> {
    let bar = progress::bar(cfg.customers, "customers");
    let tick = {
        let bar = bar.clone();
        move |done: u64| bar.set_position(done)
    };
    let summary = griddesk_demo::run(store, lake, cfg, &tick).await?;
    bar.finish();
    import_knowledge(
        store,
        "knowledge.toml",
        griddesk_server::api_knowledge::STARTER,
    )
    .await?;
    store.optimize().await?;
    Ok(summary)
}

/// `griddesk segment`: runs, stores, prints the counts and writes the exports.
async fn segment_command(
    storage: &Storage,
    period: &str,
    config: Option<&Path>,
    xlsx: Option<&Path>,
    parquet: Option<&Path>,
) -> Result<()> {
    use griddesk_server::api_segment as seg;
    let period = Period::parse(period)?;
    let (name, text) = match config {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        ),
        None => (
            "segmentation.toml".to_owned(),
            seg::DEFAULT_CONFIG.to_owned(),
        ),
    };
    let cfg = seg::parse_config(&name, &text).map_err(anyhow::Error::msg)?;
    let store = storage.open().await?;
    let lake = griddesk_lake::Lake::open(&storage.lake_dir()).context("opening the lake")?;
    let bar = progress::bar(seg::RUN_STEPS.len() as u64, "steps");
    // When each step ended: the time each took is printed with the results (where a run's
    // time goes, for operators and BENCHMARKS.md).
    let ended = std::sync::Arc::new(std::sync::Mutex::new(vec![std::time::Instant::now()]));
    let tick = {
        let bar = bar.clone();
        let ended = ended.clone();
        move |done: usize| {
            if let Ok(mut e) = ended.lock() {
                e.push(std::time::Instant::now());
            }
            bar.set_position(done as u64);
            if let Some(next) = seg::RUN_STEPS.get(done) {
                bar.set_message(*next);
            }
        }
    };
    let actor = cli_actor();
    // The Parquet export is written while the results are stored.
    let exported = std::sync::Arc::new(std::sync::OnceLock::new());
    let export: Option<seg::Alongside> = parquet.map(|p| {
        let (p, exported) = (p.to_path_buf(), exported.clone());
        Box::new(move |s: &griddesk_domain::segment::Segmentation| {
            let t = std::time::Instant::now();
            griddesk_lake::segment::write_segmentation_parquet(&p, period, &s.customers)
                .map_err(|e| format!("writing {}: {e}", p.display()))?;
            let _ = exported.set(t.elapsed());
            Ok(())
        }) as seg::Alongside
    });
    let (s, exported_ok) = seg::run_segmentation(
        store.as_ref(),
        &lake,
        period,
        &cfg,
        &text,
        &actor.audit_id(),
        &tick,
        export,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
    bar.finish();
    exported_ok.map_err(anyhow::Error::msg)?;
    println!("segmented {} customers for {period}", s.summary.customers);
    if let Ok(e) = ended.lock() {
        let took: Vec<String> = seg::RUN_STEPS
            .iter()
            .zip(e.windows(2))
            .map(|(step, w)| format!("{step} {:.1} s", (w[1] - w[0]).as_secs_f64()))
            .collect();
        println!("time: {}", took.join(", "));
    }
    println!(
        "origin: current {:.3}, potential {:.3}",
        s.summary.origin.current, s.summary.origin.potential
    );
    let line = |label: &str, counts: Vec<(String, usize)>| {
        let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("{label}: {}", parts.join(", "));
    };
    line(
        "quadrants",
        s.summary
            .quadrants
            .iter()
            .map(|(q, n)| (q.code().to_owned(), *n))
            .collect(),
    );
    line(
        "abc",
        s.summary
            .abc
            .iter()
            .map(|(a, n)| (a.code().to_owned(), *n))
            .collect(),
    );
    line(
        "grades",
        s.summary
            .grades
            .iter()
            .map(|(g, n)| (g.code().to_owned(), *n))
            .collect(),
    );
    line(
        "tiers",
        s.summary
            .tiers
            .iter()
            .map(|(t, n)| (t.to_string(), *n))
            .collect(),
    );
    if let Some(p) = xlsx {
        let bytes = seg::segmentation_workbook(period, &s)?;
        std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display()))?;
        println!("wrote {}", p.display());
    }
    if let (Some(p), Some(took)) = (parquet, exported.get()) {
        println!(
            "wrote {} in {:.1} s, while storing",
            p.display(),
            took.as_secs_f64()
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    init_tracing(&cli.log_format);
    match cli.command {
        Command::Serve {
            addr,
            demo,
            demo_customers,
            sla_config,
            sms_webhook,
            smtp,
            mail_from,
            repeat_window_days,
            storage,
        } => {
            let repeat = griddesk_domain::outage_plan::RepeatPolicy {
                window_days: repeat_window_days,
            };
            repeat.validate().context("--repeat-window-days")?;
            let mut config = griddesk_server::ServerConfig {
                repeat,
                ..Default::default()
            };
            if let Some(path) = &sla_config {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                config.rules.policy =
                    griddesk_server::rules::policy_from(&path.display().to_string(), &text)?;
            }
            let store = storage.open().await?;
            let lake_dir = storage.lake_dir();
            if demo && store.stats().await?.customers == 0 {
                eprintln!("Creating the demo company ({demo_customers} customers)…");
                let cfg = demo_today(demo_customers, 1);
                demo_data(store.as_ref(), &lake_dir, &cfg).await?;
            }
            let lake = griddesk_lake::Lake::open(&lake_dir).context("opening the lake")?;
            let logins = if demo {
                demo_logins(store.as_ref()).await?
            } else {
                Vec::new()
            };
            let notification_log = storage.data_dir.join("notifications.log");
            std::fs::create_dir_all(&storage.data_dir)
                .with_context(|| format!("creating {}", storage.data_dir.display()))?;
            use griddesk_server::notify::{
                LogFileNotifier, Notifier, SmtpNotifier, WebhookNotifier,
            };
            let sms: Arc<dyn Notifier> = match &sms_webhook {
                Some(url) => Arc::new(WebhookNotifier::new(url.clone())?),
                None => Arc::new(LogFileNotifier::new(notification_log.clone())),
            };
            let mut state =
                griddesk_server::AppState::new(store.clone(), Arc::new(lake), config, sms);
            if let Some(url) = &smtp {
                state = state.with_mailer(Arc::new(SmtpNotifier::new(url, &mail_from)?));
            }
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| format!("binding {addr}"))?;
            let url = format!("http://{}", listener.local_addr()?);
            println!("GridDesk is running at {url}/console  (API: {url}/api/docs)");
            println!(
                "database: {}  lake: {}",
                store.backend(),
                lake_dir.display()
            );
            let sms_to = sms_webhook
                .clone()
                .unwrap_or_else(|| notification_log.display().to_string());
            println!(
                "customer self-service: {url}/portal  (SMS, one-time codes and outage notices go to {sms_to})"
            );
            if !logins.is_empty() {
                println!("Demo logins at {url}/login (password {DEMO_PASSWORD}):");
                for s in &logins {
                    println!(
                        "  {:<14} {} ({})",
                        s.login.as_str(),
                        s.role.label(Default::default()),
                        s.role
                    );
                }
            }
            griddesk_server::serve(listener, state, griddesk_server::shutdown_signal()).await?;
        }
        Command::DemoData {
            customers,
            seed,
            last_month,
            months,
            reading_days,
            storage,
        } => {
            let mut cfg = match last_month {
                Some(m) => griddesk_demo::DemoConfig::new(customers, seed, Period::parse(&m)?),
                None => demo_today(customers, seed),
            };
            cfg.months = months;
            cfg.reading_days = reading_days;
            let store = storage.open().await?;
            let s = demo_data(store.as_ref(), &storage.lake_dir(), &cfg).await?;
            store
                .append_audit(&cli_audit(
                    griddesk_domain::access::AuditAction::DemoData,
                    "company",
                    &format!("{customers} customers, seed {seed}"),
                ))
                .await?;
            println!("{s}");
        }
        Command::Knowledge(KnowledgeCommand::Import { files, storage }) => {
            let store = storage.open().await?;
            if files.is_empty() {
                import_knowledge(
                    store.as_ref(),
                    "knowledge.toml",
                    griddesk_server::api_knowledge::STARTER,
                )
                .await?;
            }
            for f in &files {
                let text = std::fs::read_to_string(f)
                    .with_context(|| format!("reading {}", f.display()))?;
                import_knowledge(store.as_ref(), &f.display().to_string(), &text).await?;
            }
        }
        Command::Import {
            kind,
            skip_bad,
            reject_file,
            files,
            storage,
        } => {
            if files.is_empty() {
                bail!("name at least one file to import");
            }
            let kind = griddesk_import::ImportKind::parse(&kind)?;
            let store = storage.open().await?;
            let mut failed = false;
            let mut imported = false;
            for file in &files {
                let opts = griddesk_import::ImportOptions {
                    skip_bad,
                    reject_file: reject_file.clone(),
                    actor: Some(cli_actor().audit_id()),
                    ..Default::default()
                };
                match griddesk_import::import_file(
                    store.as_ref(),
                    &storage.lake_dir(),
                    kind,
                    file,
                    &opts,
                )
                .await
                {
                    Ok(r) => {
                        let summary = format!(
                            r#"{{"kind":"{}","rows":{},"imported":{},"rejected":{}}}"#,
                            kind.name(),
                            r.rows,
                            r.imported,
                            r.rejected.len()
                        );
                        store
                            .append_audit(
                                &cli_audit(
                                    griddesk_domain::access::AuditAction::Import,
                                    "file",
                                    &r.file,
                                )
                                .change(None, Some(summary)),
                            )
                            .await?;
                        println!(
                            "{}: {} rows, {} imported, {} rejected",
                            r.file,
                            r.rows,
                            r.imported,
                            r.rejected.len()
                        );
                        imported |= r.imported > 0;
                        if let Some(p) = r.reject_file {
                            println!("  rejected rows written to {}", p.display());
                        }
                    }
                    Err(griddesk_import::ImportError::Rejected(errors)) => {
                        failed = true;
                        eprintln!(
                            "{}: nothing imported, {} bad rows:",
                            file.display(),
                            errors.len()
                        );
                        for e in &errors {
                            eprintln!("  {e}");
                        }
                    }
                    Err(e) => {
                        failed = true;
                        eprintln!("{e}");
                    }
                }
            }
            if imported {
                store.optimize().await?;
            }
            if failed {
                std::process::exit(1);
            }
        }
        Command::Staff(StaffCommand::SetPassword { login, storage }) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let password = line.trim_end_matches(['\r', '\n']);
            let store = storage.open().await?;
            set_password(store.as_ref(), &login, password).await?;
            println!("password of {login} set");
        }
        Command::Segment {
            period,
            config,
            export_xlsx,
            export_parquet,
            storage,
        } => {
            segment_command(
                &storage,
                &period,
                config.as_deref(),
                export_xlsx.as_deref(),
                export_parquet.as_deref(),
            )
            .await?;
        }
        Command::Migrate { storage } => {
            let store = storage.open().await?;
            println!("{} database is up to date", store.backend());
        }
        Command::Bench(cmd) => bench::run(cmd).await?,
    }
    Ok(())
}
