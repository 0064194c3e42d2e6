//! Storage of access control and the audit trail: staff credentials and lockout state, sessions,
//! API tokens, customers' one-time codes and the append-only audit log.
//!
//! The SQL is the same on SQLite and PostgreSQL (`$n` placeholders, `CAST(.. AS ..)`, times as
//! microseconds since the epoch in BIGINT columns), so both backends get their implementation from
//! one macro, [`access_store_impl!`], instead of two copies.

use crate::{Result, StoreError};
use griddesk_domain::access::{AuditAction, AuditEntry};
use griddesk_domain::org::{Role, Staff};
use griddesk_domain::values::{Code, CustomerNo};
use jiff::Timestamp;
use serde::Serialize;

/// A staff member's password hash (argon2id PHC string) and lockout state.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub login: Code,
    pub password_hash: String,
    pub failed_attempts: u32,
    pub locked_until: Option<Timestamp>,
}

// The hash is a secret: keep it out of logs.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("login", &self.login)
            .field("password_hash", &"[redacted]")
            .field("failed_attempts", &self.failed_attempts)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Staff,
    Customer,
}

impl SessionKind {
    pub fn code(self) -> &'static str {
        match self {
            SessionKind::Staff => "staff",
            SessionKind::Customer => "customer",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "staff" => Ok(SessionKind::Staff),
            "customer" => Ok(SessionKind::Customer),
            other => Err(StoreError::Corrupt(format!("session kind {other:?}"))),
        }
    }
}

/// A login session. Only the SHA-256 of the session id is stored, so a copy of the database does
/// not hand out live sessions.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id_hash: String,
    pub kind: SessionKind,
    /// Staff login or customer number.
    pub subject: String,
    /// The session's CSRF token (sent back in forms and the X-CSRF-Token header).
    pub csrf: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("kind", &self.kind)
            .field("subject", &self.subject)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// An API token of an integration (SMS gateway, IVR, WeChat bridge): it acts with its own role
/// and organisation unit. Only the SHA-256 of the token is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub role: Role,
    pub org_unit: Code,
    pub created_by: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl ApiToken {
    /// Neither revoked nor expired at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|t| t > now)
    }
}

/// What is given to create a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub token_hash: String,
    pub role: Role,
    pub org_unit: Code,
    pub created_by: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// A customer's pending one-time login code (hash only).
#[derive(Clone, PartialEq, Eq)]
pub struct OtpRecord {
    pub customer_no: CustomerNo,
    pub code_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub attempts: u32,
}

impl std::fmt::Debug for OtpRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpRecord")
            .field("customer_no", &self.customer_no)
            .field("expires_at", &self.expires_at)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// Filter of an audit search; `None` means any. Newest first; `before_id` pages back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub target_kind: Option<String>,
    pub target: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// Access control and audit storage. Writes that change access (passwords, tokens) take their
/// audit record and store both in one transaction: there is no change without its record.
#[async_trait::async_trait]
pub trait AccessStore: Send + Sync {
    async fn staff_member(&self, login: &Code) -> Result<Option<Staff>>;
    async fn credential(&self, login: &Code) -> Result<Option<Credential>>;
    /// Sets (or replaces) a staff member's password hash and clears the lockout.
    /// `MissingReference` when there is no such staff member.
    async fn set_password(&self, login: &Code, hash: &str, audit: &AuditEntry) -> Result<()>;
    async fn save_login_state(
        &self,
        login: &Code,
        failed_attempts: u32,
        locked_until: Option<Timestamp>,
    ) -> Result<()>;

    async fn create_session(&self, s: &SessionRecord) -> Result<()>;
    async fn session(&self, id_hash: &str) -> Result<Option<SessionRecord>>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Deletes expired sessions and one-time codes; returns how many.
    async fn purge_expired(&self, now: Timestamp) -> Result<u64>;

    async fn create_api_token(&self, t: &NewApiToken, audit: &AuditEntry) -> Result<ApiToken>;
    async fn api_token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>>;
    async fn list_api_tokens(&self) -> Result<Vec<ApiToken>>;
    /// Revokes a token (idempotent: the first revocation time is kept). `None` when no such id.
    async fn revoke_api_token(
        &self,
        id: i64,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<Option<ApiToken>>;

    /// Stores a customer's one-time code, replacing any earlier one.
    async fn put_otp(&self, otp: &OtpRecord) -> Result<()>;
    async fn otp(&self, no: &CustomerNo) -> Result<Option<OtpRecord>>;
    async fn otp_failed(&self, no: &CustomerNo) -> Result<()>;
    async fn delete_otp(&self, no: &CustomerNo) -> Result<()>;

    /// Appends to the audit trail; returns the record's id. The trail has no update or delete.
    async fn append_audit(&self, e: &AuditEntry) -> Result<i64>;
    async fn search_audit(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>>;
}

/// Microseconds since the epoch, the stored form of every access timestamp.
pub fn ts_us(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn us_ts(us: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| StoreError::Corrupt(format!("timestamp {us}: {e}")))
}

pub fn opt_us_ts(us: Option<i64>) -> Result<Option<Timestamp>> {
    us.map(us_ts).transpose()
}

pub fn parse_code(field: &str, s: &str) -> Result<Code> {
    Code::parse(s).map_err(|e| StoreError::Corrupt(format!("{field}: {e}")))
}

pub fn parse_role(s: &str) -> Result<Role> {
    Role::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Raw columns of an `api_token` row.
pub type TokenColumns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

pub fn token_from_columns(c: TokenColumns) -> Result<ApiToken> {
    Ok(ApiToken {
        id: c.0,
        name: c.1,
        token_hash: c.2,
        role: parse_role(&c.3)?,
        org_unit: parse_code("org_unit", &c.4)?,
        created_by: c.5,
        created_at: us_ts(c.6)?,
        expires_at: opt_us_ts(c.7)?,
        revoked_at: opt_us_ts(c.8)?,
    })
}

/// Raw columns of an `audit_log` row.
pub type AuditColumns = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

pub fn audit_from_columns(c: AuditColumns) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: c.0,
        entry: AuditEntry {
            at: us_ts(c.1)?,
            actor: c.2,
            actor_name: c.3,
            role: c.4.as_deref().map(parse_role).transpose()?,
            action: AuditAction::parse(&c.5).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            target_kind: c.6,
            target: c.7,
            reason: c.8,
            source: c.9,
            before: c.10,
            after: c.11,
        },
    })
}

/// Generates `insert_audit` (appends one audit entry on a connection or inside a transaction) for
/// the `*_store_impl!` macros that write audits together with what they record.
#[macro_export]
macro_rules! audit_helpers {
    ($conn:ty, $db:path) => {
        async fn insert_audit(
            conn: &mut $conn,
            e: &::griddesk_domain::access::AuditEntry,
        ) -> $crate::Result<i64> {
            ::sqlx::query_scalar(
                "INSERT INTO audit_log (at_us, actor, actor_name, role, action, target_kind, \
                 target, reason, source, before_json, after_json) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind($crate::access::ts_us(e.at))
            .bind(&e.actor)
            .bind(&e.actor_name)
            .bind(e.role.map(|r| r.code()))
            .bind(e.action.code())
            .bind(&e.target_kind)
            .bind(&e.target)
            .bind(&e.reason)
            .bind(&e.source)
            .bind(&e.before)
            .bind(&e.after)
            .fetch_one(conn)
            .await
            .map_err($db)
        }
    };
}

/// Implements [`AccessStore`] for a backend whose struct has a `pool` field (reads), a
/// `begin_write` method (write transactions, of the backend crate's `WriteTx` type: deref to
/// `$conn`, `commit()`, rolled back on drop) and a `write_conn` method (a connection for
/// single-statement writes): SQLite keeps one connection for writes so writers queue in order
/// instead of sleeping in its busy handler. `$conn` is the backend's connection type and `$db` its
/// `sqlx::Error -> StoreError` function. The SQL is portable between SQLite and PostgreSQL; see
/// the module docs.
#[macro_export]
macro_rules! access_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use $crate::access::*;
            use $crate::{Result, StoreError};
            use ::griddesk_domain::access::AuditEntry;
            use ::griddesk_domain::org::Staff;
            use ::griddesk_domain::values::{Code, CustomerNo};
            use ::jiff::Timestamp;

            const TOKEN_COLS: &str = "id, name, token_hash, role, org_unit, created_by, \
                created_us, expires_us, revoked_us";

            $crate::audit_helpers!($conn, $db);

            async fn token_by_id(conn: &mut $conn, id: i64) -> Result<Option<ApiToken>> {
                let row: Option<TokenColumns> = ::sqlx::query_as(&format!(
                    "SELECT {TOKEN_COLS} FROM api_token WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(conn)
                .await
                .map_err($db)?;
                row.map(token_from_columns).transpose()
            }

            #[::async_trait::async_trait]
            impl AccessStore for $store {
                async fn staff_member(&self, login: &Code) -> Result<Option<Staff>> {
                    let row: Option<(String, String, String, String)> = ::sqlx::query_as(
                        "SELECT login, name, role, org_unit FROM staff WHERE login = $1",
                    )
                    .bind(login.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    row.map(|(login, name, role, unit)| {
                        Ok(Staff {
                            login: parse_code("login", &login)?,
                            name,
                            role: parse_role(&role)?,
                            org_unit: parse_code("org_unit", &unit)?,
                        })
                    })
                    .transpose()
                }

                async fn credential(&self, login: &Code) -> Result<Option<Credential>> {
                    let row: Option<(String, i64, Option<i64>)> = ::sqlx::query_as(
                        "SELECT password_hash, failed_attempts, locked_until_us \
                         FROM staff_credential WHERE login = $1",
                    )
                    .bind(login.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    row.map(|(hash, failed, locked)| {
                        Ok(Credential {
                            login: login.clone(),
                            password_hash: hash,
                            failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX),
                            locked_until: opt_us_ts(locked)?,
                        })
                    })
                    .transpose()
                }

                async fn set_password(
                    &self,
                    login: &Code,
                    hash: &str,
                    audit: &AuditEntry,
                ) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let exists: Option<i64> =
                        ::sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM staff WHERE login = $1")
                            .bind(login.as_str())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err($db)?;
                    if exists.is_none() {
                        return Err(StoreError::MissingReference {
                            field: "login",
                            value: login.to_string(),
                        });
                    }
                    ::sqlx::query(
                        "INSERT INTO staff_credential (login, password_hash, failed_attempts, \
                         locked_until_us, changed_us) VALUES ($1, $2, 0, NULL, $3) \
                         ON CONFLICT (login) DO UPDATE SET password_hash = excluded.password_hash, \
                         failed_attempts = 0, locked_until_us = NULL, changed_us = excluded.changed_us",
                    )
                    .bind(login.as_str())
                    .bind(hash)
                    .bind(ts_us(audit.at))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    insert_audit(&mut tx, audit).await?;
                    tx.commit().await.map_err($db)
                }

                async fn save_login_state(
                    &self,
                    login: &Code,
                    failed_attempts: u32,
                    locked_until: Option<Timestamp>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE staff_credential SET failed_attempts = $2, locked_until_us = $3 \
                         WHERE login = $1",
                    )
                    .bind(login.as_str())
                    .bind(i64::from(failed_attempts))
                    .bind(locked_until.map(ts_us))
                    .execute(&mut *self.write_conn().await.map_err($db)?)
                    .await
                    .map_err($db)?;
                    Ok(())
                }

                async fn create_session(&self, s: &SessionRecord) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO session (id_hash, kind, subject, csrf, created_us, expires_us) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&s.id_hash)
                    .bind(s.kind.code())
                    .bind(&s.subject)
                    .bind(&s.csrf)
                    .bind(ts_us(s.created_at))
                    .bind(ts_us(s.expires_at))
                    .execute(&mut *self.write_conn().await.map_err($db)?)
                    .await
                    .map_err($db)?;
                    Ok(())
                }

                async fn session(&self, id_hash: &str) -> Result<Option<SessionRecord>> {
                    let row: Option<(String, String, String, i64, i64)> = ::sqlx::query_as(
                        "SELECT kind, subject, csrf, created_us, expires_us FROM session \
                         WHERE id_hash = $1",
                    )
                    .bind(id_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    row.map(|(kind, subject, csrf, created, expires)| {
                        Ok(SessionRecord {
                            id_hash: id_hash.to_owned(),
                            kind: SessionKind::parse(&kind)?,
                            subject,
                            csrf,
                            created_at: us_ts(created)?,
                            expires_at: us_ts(expires)?,
                        })
                    })
                    .transpose()
                }

                async fn delete_session(&self, id_hash: &str) -> Result<()> {
                    ::sqlx::query("DELETE FROM session WHERE id_hash = $1")
                        .bind(id_hash)
                        .execute(&mut *self.write_conn().await.map_err($db)?)
                        .await
                        .map_err($db)?;
                    Ok(())
                }

                async fn purge_expired(&self, now: Timestamp) -> Result<u64> {
                    let now = ts_us(now);
                    let a = ::sqlx::query("DELETE FROM session WHERE expires_us <= $1")
                        .bind(now)
                        .execute(&mut *self.write_conn().await.map_err($db)?)
                        .await
                        .map_err($db)?
                        .rows_affected();
                    let b = ::sqlx::query("DELETE FROM customer_otp WHERE expires_us <= $1")
                        .bind(now)
                        .execute(&mut *self.write_conn().await.map_err($db)?)
                        .await
                        .map_err($db)?
                        .rows_affected();
                    Ok(a + b)
                }

                async fn create_api_token(
                    &self,
                    t: &NewApiToken,
                    audit: &AuditEntry,
                ) -> Result<ApiToken> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let unit: Option<i64> =
                        ::sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM org_unit WHERE code = $1")
                            .bind(t.org_unit.as_str())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err($db)?;
                    if unit.is_none() {
                        return Err(StoreError::MissingReference {
                            field: "org_unit",
                            value: t.org_unit.to_string(),
                        });
                    }
                    let id: i64 = ::sqlx::query_scalar(
                        "INSERT INTO api_token (name, token_hash, role, org_unit, created_by, \
                         created_us, expires_us) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(&t.name)
                    .bind(&t.token_hash)
                    .bind(t.role.code())
                    .bind(t.org_unit.as_str())
                    .bind(&t.created_by)
                    .bind(ts_us(t.created_at))
                    .bind(t.expires_at.map(ts_us))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($db)?;
                    let mut audit = audit.clone();
                    audit.target = id.to_string();
                    insert_audit(&mut tx, &audit).await?;
                    let token = token_by_id(&mut tx, id)
                        .await?
                        .ok_or_else(|| StoreError::Backend("token vanished".into()))?;
                    tx.commit().await.map_err($db)?;
                    Ok(token)
                }

                async fn api_token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>> {
                    let row: Option<TokenColumns> = ::sqlx::query_as(&format!(
                        "SELECT {TOKEN_COLS} FROM api_token WHERE token_hash = $1"
                    ))
                    .bind(hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    row.map(token_from_columns).transpose()
                }

                async fn list_api_tokens(&self) -> Result<Vec<ApiToken>> {
                    let rows: Vec<TokenColumns> = ::sqlx::query_as(&format!(
                        "SELECT {TOKEN_COLS} FROM api_token ORDER BY id"
                    ))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(token_from_columns).collect()
                }

                async fn revoke_api_token(
                    &self,
                    id: i64,
                    at: Timestamp,
                    audit: &AuditEntry,
                ) -> Result<Option<ApiToken>> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let Some(before) = token_by_id(&mut tx, id).await? else {
                        return Ok(None);
                    };
                    ::sqlx::query(
                        "UPDATE api_token SET revoked_us = COALESCE(revoked_us, $2) WHERE id = $1",
                    )
                    .bind(id)
                    .bind(ts_us(at))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    let after = token_by_id(&mut tx, id).await?;
                    if before.revoked_at.is_none() {
                        insert_audit(&mut tx, audit).await?;
                    }
                    tx.commit().await.map_err($db)?;
                    Ok(after)
                }

                async fn put_otp(&self, otp: &OtpRecord) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO customer_otp (customer_no, code_hash, created_us, expires_us, \
                         attempts) VALUES ($1, $2, $3, $4, 0) ON CONFLICT (customer_no) DO UPDATE \
                         SET code_hash = excluded.code_hash, created_us = excluded.created_us, \
                         expires_us = excluded.expires_us, attempts = 0",
                    )
                    .bind(otp.customer_no.as_str())
                    .bind(&otp.code_hash)
                    .bind(ts_us(otp.created_at))
                    .bind(ts_us(otp.expires_at))
                    .execute(&mut *self.write_conn().await.map_err($db)?)
                    .await
                    .map_err($db)?;
                    Ok(())
                }

                async fn otp(&self, no: &CustomerNo) -> Result<Option<OtpRecord>> {
                    let row: Option<(String, i64, i64, i64)> = ::sqlx::query_as(
                        "SELECT code_hash, created_us, expires_us, attempts FROM customer_otp \
                         WHERE customer_no = $1",
                    )
                    .bind(no.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    row.map(|(hash, created, expires, attempts)| {
                        Ok(OtpRecord {
                            customer_no: no.clone(),
                            code_hash: hash,
                            created_at: us_ts(created)?,
                            expires_at: us_ts(expires)?,
                            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                        })
                    })
                    .transpose()
                }

                async fn otp_failed(&self, no: &CustomerNo) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE customer_otp SET attempts = attempts + 1 WHERE customer_no = $1",
                    )
                    .bind(no.as_str())
                    .execute(&mut *self.write_conn().await.map_err($db)?)
                    .await
                    .map_err($db)?;
                    Ok(())
                }

                async fn delete_otp(&self, no: &CustomerNo) -> Result<()> {
                    ::sqlx::query("DELETE FROM customer_otp WHERE customer_no = $1")
                        .bind(no.as_str())
                        .execute(&mut *self.write_conn().await.map_err($db)?)
                        .await
                        .map_err($db)?;
                    Ok(())
                }

                async fn append_audit(&self, e: &AuditEntry) -> Result<i64> {
                    let mut conn = self.write_conn().await.map_err($db)?;
                    insert_audit(&mut conn, e).await
                }

                async fn search_audit(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>> {
                    let rows: Vec<AuditColumns> = ::sqlx::query_as(
                        "SELECT id, at_us, actor, actor_name, role, action, target_kind, target, \
                         reason, source, before_json, after_json FROM audit_log \
                         WHERE (CAST($1 AS TEXT) IS NULL OR actor = $1) \
                         AND (CAST($2 AS TEXT) IS NULL OR action = $2) \
                         AND (CAST($3 AS TEXT) IS NULL OR target_kind = $3) \
                         AND (CAST($4 AS TEXT) IS NULL OR target = $4) \
                         AND (CAST($5 AS BIGINT) IS NULL OR at_us >= $5) \
                         AND (CAST($6 AS BIGINT) IS NULL OR at_us < $6) \
                         AND (CAST($7 AS BIGINT) IS NULL OR id < $7) \
                         ORDER BY id DESC LIMIT $8",
                    )
                    .bind(&q.actor)
                    .bind(q.action.map(|a| a.code()))
                    .bind(&q.target_kind)
                    .bind(&q.target)
                    .bind(q.from.map(ts_us))
                    .bind(q.to.map(ts_us))
                    .bind(q.before_id)
                    .bind(i64::from(q.limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(audit_from_columns).collect()
                }
            }
        };
    };
}
