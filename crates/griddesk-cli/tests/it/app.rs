//! Test harness for the HTTP server (zero-to-production style): every test gets its own fresh
//! SQLite database in a temporary directory, a small populated archive and Parquet lake, and the
//! real server listening on 127.0.0.1:0 in a background task.

use griddesk_domain::billing::{Bill, LoadCurve, PayChannel, Payment, Period, Reading};
use griddesk_domain::customer::{
    Connection, Contact, ContactChannel, Customer, ImportantGrade, Industry, Institution,
    LoadImportance, SupplyRelation, SupplySource, TariffCategory, UsageNature,
};
use griddesk_domain::org::{OrgKind, OrgUnit, Role, Staff};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::topology::{AreaType, Feeder, MeteringPoint, Substation, TransformerArea};
use griddesk_domain::values::{
    CapacityKva, Code, CustomerNo, Email, IdNumber, Money, PhoneNumber, VoltageKv, parse_decimal,
};
use griddesk_lake::{Lake, LakeWriter};
use griddesk_server::notify::MemoryNotifier;
use griddesk_server::{AppState, ServerConfig};
use griddesk_store::Store;
use jiff::ToSpan;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub const COMPANY: &str = "GridDesk示范供电公司";

pub struct TestApp {
    pub addr: SocketAddr,
    /// Sends the API token of a company-wide hotline agent with every request.
    pub client: reqwest::Client,
    /// Sends no credentials.
    pub anon: reqwest::Client,
    pub store: Arc<dyn Store>,
    /// The server's state (for calling background jobs such as the SLA sweeper directly).
    pub state: AppState,
    /// One-time codes and other messages the server sent.
    pub notifier: Arc<MemoryNotifier>,
    /// Every customer of the archive, as stored (raw personal data, for assertions).
    pub customers: Vec<Customer>,
    /// Keeps the database and the lake alive for the test's duration.
    _dir: tempfile::TempDir,
}

/// Password of the fixture staff that [`TestApp::login`] uses.
pub const STAFF_PASSWORD: &str = "Test-Password-42";

/// argon2id at a tiny cost: the tests hash many passwords and must not take minutes.
pub fn test_server_config() -> ServerConfig {
    ServerConfig {
        company_name: COMPANY.to_owned(),
        history_months: 36,
        auth: griddesk_server::auth::AuthConfig {
            argon2_m_kib: 256,
            argon2_t: 1,
            ..Default::default()
        },
        // Tests dispatch the outbox themselves, at the times they choose.
        dispatch_every: None,
        ..Default::default()
    }
}

/// Sends a request and reads its JSON body (any status).
pub trait SendJson {
    fn json_body(self) -> impl std::future::Future<Output = serde_json::Value>;
}

impl SendJson for reqwest::RequestBuilder {
    async fn json_body(self) -> serde_json::Value {
        let resp = self.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{status} body is not JSON ({e}): {text}"))
    }
}

/// A browser-like session: the session cookie and its CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

fn no_redirects() -> reqwest::ClientBuilder {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())
}

/// The value of cookie `name` among a response's Set-Cookie headers.
pub fn set_cookie_value(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A new API token acting with `role` for organisation unit `unit`.
    pub async fn token(&self, role: Role, unit: &str) -> String {
        let secret = griddesk_server::auth::random_secret();
        let now = jiff::Timestamp::now();
        let actor = griddesk_domain::access::Actor::System {
            name: "test".into(),
        };
        self.store
            .create_api_token(
                &griddesk_store::access::NewApiToken {
                    name: format!("test {role}"),
                    token_hash: griddesk_server::auth::secret_hash(&secret),
                    role,
                    org_unit: code(unit),
                    created_by: "system:test".into(),
                    created_at: now,
                    expires_at: None,
                },
                &griddesk_domain::access::AuditEntry::new(
                    &actor,
                    griddesk_domain::access::AuditAction::TokenCreated,
                    "api_token",
                    "",
                    "test",
                    now,
                ),
            )
            .await
            .expect("create token");
        secret
    }

    /// A client that sends `Authorization: Bearer <token>`.
    pub fn bearer_client(token: &str) -> reqwest::Client {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        no_redirects().default_headers(h).build().expect("client")
    }

    /// A client acting with `role` for `unit` (through an API token).
    pub async fn client_as(&self, role: Role, unit: &str) -> reqwest::Client {
        Self::bearer_client(&self.token(role, unit).await)
    }

    /// Gives a fixture staff member the test password.
    pub async fn set_password(&self, login: &str) {
        let cfg = test_server_config().auth;
        let hash = griddesk_server::auth::hash_password(&cfg, STAFF_PASSWORD).expect("hash");
        let actor = griddesk_domain::access::Actor::System {
            name: "test".into(),
        };
        self.store
            .set_password(
                &code(login),
                &hash,
                &griddesk_domain::access::AuditEntry::new(
                    &actor,
                    griddesk_domain::access::AuditAction::PasswordSet,
                    "staff",
                    login,
                    "test",
                    jiff::Timestamp::now(),
                ),
            )
            .await
            .expect("set password");
    }

    /// The login form's CSRF cookie (double submit), as a browser gets it from GET /login.
    pub async fn form_csrf(&self, cookie: Option<&str>) -> String {
        let mut req = self.anon.get(self.url("/login"));
        if let Some(c) = cookie {
            req = req.header(reqwest::header::COOKIE, c);
        }
        let resp = req.send().await.expect("GET /login");
        assert_eq!(resp.status(), 200);
        set_cookie_value(&resp, "gd_csrf")
            .or_else(|| {
                cookie
                    .and_then(|c| c.split("; ").find_map(|kv| kv.strip_prefix("gd_csrf=")))
                    .map(str::to_owned)
            })
            .expect("a form CSRF token")
    }

    /// Posts the login form; returns the response (303 on success).
    pub async fn post_login(
        &self,
        login: &str,
        password: &str,
        extra_cookie: Option<&str>,
    ) -> reqwest::Response {
        let csrf = self.form_csrf(None).await;
        let mut cookie = format!("gd_csrf={csrf}");
        if let Some(c) = extra_cookie {
            cookie = format!("{cookie}; {c}");
        }
        self.anon
            .post(self.url("/login"))
            .header(reqwest::header::COOKIE, cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("login", login),
                ("password", password),
                ("next", "/console"),
            ])
            .send()
            .await
            .expect("POST /login")
    }

    /// Logs a fixture staff member in through the login form (setting the test password first).
    pub async fn login(&self, login: &str) -> Session {
        self.set_password(login).await;
        let resp = self.post_login(login, STAFF_PASSWORD, None).await;
        assert_eq!(resp.status(), 303, "login of {login} succeeds");
        let cookie = set_cookie_value(&resp, "gd_session").expect("session cookie");
        self.session_from_cookie(&cookie).await
    }

    /// The session of a `gd_session` cookie value, with its CSRF token from /api/v1/me.
    pub async fn session_from_cookie(&self, cookie: &str) -> Session {
        let me: serde_json::Value = self
            .anon
            .get(self.url("/api/v1/me"))
            .header(reqwest::header::COOKIE, format!("gd_session={cookie}"))
            .send()
            .await
            .expect("GET /api/v1/me")
            .json()
            .await
            .expect("me");
        Session {
            cookie: format!("gd_session={cookie}"),
            csrf: me["csrf"].as_str().expect("csrf").to_owned(),
        }
    }

    /// A customer's self-service session, written straight to the store.
    pub async fn portal_login(&self, no: &CustomerNo) -> Session {
        let id = griddesk_server::auth::random_secret();
        let csrf = griddesk_server::auth::random_secret();
        let now = jiff::Timestamp::now();
        self.store
            .create_session(&griddesk_store::access::SessionRecord {
                id_hash: griddesk_server::auth::secret_hash(&id),
                kind: griddesk_store::access::SessionKind::Customer,
                subject: no.to_string(),
                csrf: csrf.clone(),
                created_at: now,
                expires_at: now
                    .checked_add(jiff::SignedDuration::from_mins(30))
                    .expect("time"),
            })
            .await
            .expect("session");
        Session {
            cookie: format!("gd_session={id}"),
            csrf,
        }
    }

    /// GET with a session.
    pub async fn get_in(&self, s: &Session, path: &str) -> reqwest::Response {
        self.anon
            .get(self.url(path))
            .header(reqwest::header::COOKIE, &s.cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// POST a console form with a session; the session's CSRF token is added.
    pub async fn post_in(
        &self,
        s: &Session,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", s.csrf.as_str())];
        form.extend_from_slice(fields);
        self.anon
            .post(self.url(path))
            .header(reqwest::header::COOKIE, &s.cookie)
            .form(&form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let resp = self.get(path).await;
        let status = resp.status().as_u16();
        let body = resp.text().await.expect("body");
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("GET {path}: {status} body is not JSON ({e}): {body}"));
        (status, json)
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let resp = self.get(path).await;
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }

    /// A customer by a predicate, e.g. the dual-supply one.
    pub fn customer(&self, pred: impl Fn(&Customer) -> bool) -> &Customer {
        self.customers
            .iter()
            .find(|c| pred(c))
            .expect("fixture has such a customer")
    }

    /// The first low-voltage customer, who has an area, contacts and an ID number.
    pub fn resident(&self) -> &Customer {
        self.customer(|c| !c.is_high_voltage() && c.id_number.is_some() && !c.contacts.is_empty())
    }
}

/// Spawns the app on a fresh SQLite archive.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        griddesk_sqlite::SqliteStore::open(&dir.path().join("griddesk.db"))
            .await
            .expect("open sqlite"),
    );
    spawn_with_store(store, dir).await
}

/// Spawns the app on the fixture archive in a fresh PostgreSQL database, or `None` when the
/// PostgreSQL tests are switched off (`GRIDDESK_TEST_SKIP_POSTGRES=1`).
pub async fn spawn_postgres_app() -> Option<TestApp> {
    let url = crate::support::fresh_postgres_url().await?;
    let store: Arc<dyn Store> = Arc::new(
        griddesk_postgres::PostgresStore::connect(&url)
            .await
            .expect("connect postgres"),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    Some(spawn_with_store(store, dir).await)
}

/// Spawns the app on the fixture archive written to an already opened (empty) store.
pub async fn spawn_with_store(store: Arc<dyn Store>, dir: tempfile::TempDir) -> TestApp {
    let customers = populate(store.as_ref(), &dir.path().join("lake")).await;
    start(store, dir, customers).await
}

/// Spawns the app on the synthetic demo company (`griddesk demo-data`): 300 customers, seed 7,
/// 36 months of history up to last month, as of today.
pub async fn spawn_demo_app() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        griddesk_sqlite::SqliteStore::open(&dir.path().join("griddesk.db"))
            .await
            .expect("open sqlite"),
    );
    let today = griddesk_server::time::today();
    let mut cfg = griddesk_demo::DemoConfig::new(300, 7, Period::of(today).add_months(-1));
    cfg.as_of = today;
    griddesk_demo::run(store.as_ref(), &dir.path().join("lake"), &cfg, &|_| {})
        .await
        .expect("demo data");
    let customers = griddesk_demo::Generator::new(cfg).customers(0..300);
    start(store, dir, customers).await
}

/// Serves an archive on 127.0.0.1:0 in a background task.
async fn start(store: Arc<dyn Store>, dir: tempfile::TempDir, customers: Vec<Customer>) -> TestApp {
    let lake = Arc::new(Lake::open(&dir.path().join("lake")).expect("open lake"));
    let notifier = Arc::new(MemoryNotifier::default());
    let state = AppState::new(store.clone(), lake, test_server_config(), notifier.clone());
    let kept = state.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        griddesk_server::serve(listener, state, std::future::pending())
            .await
            .expect("server");
    });
    let mut app = TestApp {
        addr,
        client: no_redirects().build().expect("client"),
        anon: no_redirects().build().expect("client"),
        store,
        state: kept,
        notifier,
        customers,
        _dir: dir,
    };
    // The unit of the company at the root, whatever the archive calls it.
    let root = app
        .store
        .list_org_units()
        .await
        .expect("units")
        .into_iter()
        .find(|u| u.parent.is_none())
        .map(|u| u.code.to_string())
        .unwrap_or_else(|| "C01".to_owned());
    app.client = TestApp::bearer_client(&app.token(Role::Agent, &root).await);
    app
}

fn code(s: &str) -> Code {
    Code::parse(s).expect("fixture code")
}

/// A valid identity number (GB 11643 check digit) from a 17-digit body.
fn id_number(body17: &str) -> IdNumber {
    let d = IdNumber::check_digit(body17.as_bytes()) as char;
    IdNumber::parse(&format!("{body17}{d}")).expect("fixture id number")
}

/// Family and given names combined into distinct, realistic customer names.
const FAMILY: [&str; 8] = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄"];
const GIVEN: [&str; 6] = ["伟", "秀英", "建国", "丽娟", "志强", "海燕"];

/// Writes the fixture archive to `store` and its history to the lake; returns the customers.
///
/// The company: one substation, two feeders, a rural and an urban transformer area with 24
/// low-voltage customers, and two high-voltage customers on the feeders (one dual-supply
/// important hospital). 36 months of bills up to last month (Asia/Shanghai), payments with
/// late payers, a bounced cheque and an arrears case, 31 days of readings, load curves for the
/// high-voltage customers, and one theft case.
pub async fn populate(store: &dyn Store, lake_root: &Path) -> Vec<Customer> {
    let unit = |c: &str, n: &str, k: OrgKind, p: Option<&str>| OrgUnit {
        code: code(c),
        name: n.to_owned(),
        kind: k,
        parent: p.map(code),
    };
    store
        .upsert_org_units(&[
            unit("C01", COMPANY, OrgKind::Company, None),
            unit("B01", "城区供电分公司", OrgKind::Branch, Some("C01")),
            unit("S01", "东城供电所", OrgKind::SupplyStation, Some("B01")),
            unit("S02", "西乡供电所", OrgKind::SupplyStation, Some("B01")),
        ])
        .await
        .expect("org units");
    store
        .upsert_staff(&[
            Staff {
                login: code("li_jingli"),
                name: "李经理".into(),
                role: Role::CustomerManager,
                org_unit: code("B01"),
            },
            Staff {
                login: code("agent01"),
                name: "周坐席".into(),
                role: Role::Agent,
                org_unit: code("C01"),
            },
            Staff {
                login: code("crew_s01"),
                name: "吴抢修".into(),
                role: Role::Crew,
                org_unit: code("S01"),
            },
            Staff {
                login: code("supervisor01"),
                name: "郑班长".into(),
                role: Role::Supervisor,
                org_unit: code("C01"),
            },
            Staff {
                login: code("admin01"),
                name: "系统管理员".into(),
                role: Role::Admin,
                org_unit: code("C01"),
            },
            Staff {
                login: code("analyst01"),
                name: "钱分析".into(),
                role: Role::Analyst,
                org_unit: code("C01"),
            },
        ])
        .await
        .expect("staff");
    store
        .upsert_substations(&[Substation {
            code: code("SUB-A"),
            name: "东郊110kV变电站".into(),
            voltage_kv: VoltageKv::parse("110").expect("kv"),
            org_unit: code("B01"),
        }])
        .await
        .expect("substations");
    let feeder = |c: &str, n: &str| Feeder {
        code: code(c),
        name: n.to_owned(),
        substation: code("SUB-A"),
        voltage_kv: VoltageKv::parse("10").expect("kv"),
    };
    store
        .upsert_feeders(&[feeder("F-A1", "10kV东一线"), feeder("F-A2", "10kV东二线")])
        .await
        .expect("feeders");
    let area = |c: &str, n: &str, f: &str, kva: &str, t: AreaType, org: &str| TransformerArea {
        code: code(c),
        name: n.to_owned(),
        feeder: code(f),
        transformer_kva: CapacityKva::parse(kva).expect("kva"),
        area_type: t,
        org_unit: code(org),
    };
    store
        .upsert_areas(&[
            area(
                "TA-001",
                "东村1号台区",
                "F-A1",
                "400",
                AreaType::Rural,
                "S02",
            ),
            area(
                "TA-002",
                "建国路2号台区",
                "F-A2",
                "630",
                AreaType::Urban,
                "S01",
            ),
        ])
        .await
        .expect("areas");

    let opened = jiff::civil::date(2015, 6, 1);
    let mut customers = Vec::new();
    for i in 0..24u32 {
        let rural = i < 12;
        let name = format!(
            "{}{}",
            FAMILY[(i % 8) as usize],
            GIVEN[(i / 4 % 6) as usize]
        );
        let address = if rural {
            format!("西乡镇东村{}号", 10 + i)
        } else {
            format!("新城区建国路{}号{}栋{}室", 100 + i, i % 5 + 1, 201 + i)
        };
        let commercial = !rural && i % 6 == 0;
        customers.push(Customer {
            customer_no: CustomerNo::parse(&format!("01000{:05}", i + 1)).expect("no"),
            name,
            address,
            id_number: (!commercial).then(|| {
                id_number(&format!(
                    "3301021980{:02}{:02}{:03}",
                    i % 12 + 1,
                    i % 28 + 1,
                    i
                ))
            }),
            org_unit: code(if rural { "S02" } else { "S01" }),
            connection: Connection::Area {
                area: code(if rural { "TA-001" } else { "TA-002" }),
            },
            supply_relation: SupplyRelation::Direct,
            tariff: if commercial {
                TariffCategory::Commercial
            } else {
                TariffCategory::Residential
            },
            voltage_kv: VoltageKv::parse(if commercial { "0.38" } else { "0.22" }).expect("kv"),
            capacity_kva: CapacityKva::parse(if commercial { "50" } else { "8" }).expect("kva"),
            supply: SupplySource {
                self_provided_source: false,
                dedicated_line: false,
            },
            usage_nature: UsageNature::Normal,
            load_importance: LoadImportance::Class3,
            important_grade: ImportantGrade::None,
            area_type: if rural {
                AreaType::Rural
            } else {
                AreaType::Urban
            },
            industry: if commercial {
                Industry::Retail
            } else {
                Industry::Household
            },
            institution: Institution::None,
            customer_manager: None,
            opened_on: opened,
            contacts: vec![Contact {
                name: "户主".into(),
                role: "户主".into(),
                phones: vec![
                    PhoneNumber::parse(&format!("139{:08}", 12_340_000 + i)).expect("phone"),
                ],
                email: (i % 3 == 0)
                    .then(|| Email::parse(&format!("user{i}@example.cn")).expect("email")),
                preferred_channel: ContactChannel::Sms,
            }],
            meters: vec![MeteringPoint {
                code: code(&format!("MP{:05}", i + 1)),
                meter_no: code(&format!("M33010{:06}", i + 1)),
                multiplier: 1,
            }],
        });
    }
    let hv = |no: &str, name: &str, address: &str, backup: Option<&str>| Customer {
        customer_no: CustomerNo::parse(no).expect("no"),
        name: name.to_owned(),
        address: address.to_owned(),
        id_number: None,
        org_unit: code("B01"),
        connection: Connection::Feeder {
            feeder: code("F-A1"),
            backup: backup.map(code),
        },
        supply_relation: SupplyRelation::Direct,
        tariff: if backup.is_some() {
            TariffCategory::NonIndustrial
        } else {
            TariffCategory::LargeIndustrial
        },
        voltage_kv: VoltageKv::parse("10").expect("kv"),
        capacity_kva: CapacityKva::parse(if backup.is_some() { "2000" } else { "3150" })
            .expect("kva"),
        supply: SupplySource {
            self_provided_source: backup.is_some(),
            dedicated_line: backup.is_none(),
        },
        usage_nature: if backup.is_some() {
            UsageNature::Important
        } else {
            UsageNature::Normal
        },
        load_importance: if backup.is_some() {
            LoadImportance::Class1
        } else {
            LoadImportance::Class2
        },
        important_grade: if backup.is_some() {
            ImportantGrade::Grade1
        } else {
            ImportantGrade::None
        },
        area_type: AreaType::Urban,
        industry: if backup.is_some() {
            Industry::Health
        } else {
            Industry::Manufacturing
        },
        institution: if backup.is_some() {
            Institution::Hospital
        } else {
            Institution::None
        },
        customer_manager: Some(code("li_jingli")),
        opened_on: opened,
        contacts: vec![
            Contact {
                name: "孙电工".into(),
                role: "电气负责人".into(),
                phones: vec![
                    PhoneNumber::parse("13800138000").expect("phone"),
                    PhoneNumber::parse("057187654321").expect("phone"),
                ],
                email: Some(Email::parse("dianqi@hospital.example.cn").expect("email")),
                preferred_channel: ContactChannel::Phone,
            },
            Contact {
                name: "钱会计".into(),
                role: "财务".into(),
                phones: vec![PhoneNumber::parse("13700137000").expect("phone")],
                email: None,
                preferred_channel: ContactChannel::Email,
            },
        ],
        meters: vec![MeteringPoint {
            code: code(&format!("MP{no}")),
            meter_no: code(&format!("HV{no}")),
            multiplier: 200,
        }],
    };
    customers.push(hv(
        "0200000001",
        "市第一人民医院",
        "新城区人民路1号",
        Some("F-A2"),
    ));
    customers.push(hv(
        "0200000002",
        "东方机械制造有限公司",
        "东郊工业园8号",
        None,
    ));
    store.upsert_customers(&customers).await.expect("customers");
    store
        .upsert_theft_cases(&[TheftCase {
            case_no: "QD2025001".into(),
            customer_no: customers[3].customer_no.clone(),
            found_on: jiff::civil::date(2025, 4, 18),
            stolen_kwh: parse_decimal("kwh", "1250.5").expect("kwh"),
            charged: Money::from_fen(312_625),
            description: "绕越计量装置用电".into(),
        }])
        .await
        .expect("theft cases");
    write_lake(&customers, lake_root);
    customers
}

/// Point `p` (0..96) of a high-voltage fixture customer's load curve on day `d` (0..7, today-7
/// to today-1), kW: a day-time plateau.
pub fn hv_curve_point(d: i64, p: usize) -> f32 {
    let hour = p as f32 / 4.0;
    let day = if (8.0..18.0).contains(&hour) {
        1.0
    } else {
        0.45
    };
    1800.0 * day + (d as f32) * 15.0 + (p % 7) as f32 * 8.0
}

/// Bills, payments, readings and load curves for every customer.
fn write_lake(customers: &[Customer], root: &Path) {
    let today = griddesk_server::time::today();
    let last = Period::of(today).add_months(-1);
    let mut w = LakeWriter::create(root, "fixture").expect("lake writer");
    for (ci, c) in customers.iter().enumerate() {
        let hv = c.is_high_voltage();
        let mut bills = Vec::new();
        let mut payments = Vec::new();
        for m in 0..36 {
            let period = last.add_months(m - 35);
            let base: i64 = if hv {
                180_000
            } else {
                150 + (ci as i64 % 7) * 40
            };
            let seasonal =
                [30, 20, 5, 0, 10, 40, 70, 80, 35, 5, 10, 25][(period.month() - 1) as usize];
            let kwh = base + base * seasonal / 100;
            let price_fen: i64 = if hv { 68 } else { 56 };
            let issued = period.next().first_day();
            let bill = Bill {
                bill_no: format!("B{}{}", c.customer_no, period.to_string().replace('-', "")),
                customer_no: c.customer_no.clone(),
                period,
                consumption_kwh: parse_decimal("kwh", &kwh.to_string()).expect("kwh"),
                amount: Money::from_fen(kwh * price_fen),
                late_fee: Money::ZERO,
                issued_on: issued,
                due_on: issued + 19.days(),
            };
            // Customer 2 pays late every third month; customer 5 leaves the last two bills
            // unpaid; the industrial customer's cheque bounces once and is paid again.
            let late = ci == 1 && m % 3 == 0;
            let unpaid = ci == 4 && m >= 34;
            if !unpaid {
                let paid_on = if late {
                    bill.due_on + 12.days()
                } else {
                    issued + 5.days()
                };
                let paid_at = paid_on
                    .at(10, 30, 0, 0)
                    .to_zoned(griddesk_server::time::shanghai().clone())
                    .expect("zoned")
                    .timestamp();
                if ci == customers.len() - 1 && m == 30 {
                    payments.push(Payment {
                        payment_no: format!("P{}{m:02}X", c.customer_no),
                        customer_no: c.customer_no.clone(),
                        bill_no: bill.bill_no.clone(),
                        paid_at,
                        amount: bill.amount,
                        channel: PayChannel::TransferCheque,
                        bounced: true,
                    });
                }
                payments.push(Payment {
                    payment_no: format!("P{}{m:02}", c.customer_no),
                    customer_no: c.customer_no.clone(),
                    bill_no: bill.bill_no.clone(),
                    paid_at: paid_at + jiff::SignedDuration::from_hours(if late { 0 } else { 1 }),
                    amount: bill.amount,
                    channel: if hv {
                        PayChannel::BankWithholding
                    } else {
                        PayChannel::Wechat
                    },
                    bounced: false,
                });
            }
            bills.push(bill);
        }
        w.write_bills(&bills).expect("bills");
        w.write_payments(&payments).expect("payments");
        let meter = &c.meters[0].meter_no;
        let daily: i64 = if hv { 6_000 } else { 6 + ci as i64 % 5 };
        let readings: Vec<Reading> = (0..31)
            .map(|d| Reading {
                customer_no: c.customer_no.clone(),
                meter_no: meter.clone(),
                reading_date: today - (30 - d).days(),
                register_kwh: parse_decimal("kwh", &(10_000 + d * daily).to_string()).expect("kwh"),
            })
            .collect();
        w.write_readings(&readings).expect("readings");
        if hv {
            let curves: Vec<LoadCurve> = (0..7)
                .map(|d| LoadCurve {
                    customer_no: c.customer_no.clone(),
                    curve_date: today - (7 - d).days(),
                    points_kw: (0..96).map(|p| hv_curve_point(d, p)).collect(),
                })
                .collect();
            w.write_load_curves(&curves).expect("curves");
        }
    }
    w.finish().expect("finish lake");
}
