//! Conformance cases of [`crate::AccessStore`]: credentials and lockout state, sessions, API
//! tokens, one-time codes, the audit trail (append-only, searchable) and the scope filter of
//! customer search. Re-exported by [`crate::conformance`] and listed in `conformance_tests!`.

use crate::access::{AuditQuery, NewApiToken, OtpRecord, SessionKind, SessionRecord};
use crate::conformance::fixtures::{self, code, no};
use crate::{CustomerFilter, Store, StoreError};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
use griddesk_domain::org::Role;
use jiff::{SignedDuration, Timestamp};

fn t(sec: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + sec).expect("fixture time")
}

fn admin() -> Actor {
    Actor::Staff {
        login: code("admin"),
        name: "系统管理员".into(),
        role: Role::Admin,
        org_unit: code("JZ"),
    }
}

fn entry(action: AuditAction, target_kind: &str, target: &str, at: Timestamp) -> AuditEntry {
    AuditEntry::new(&admin(), action, target_kind, target, "127.0.0.1", at)
}

pub async fn credentials_and_lockout_state(store: &dyn Store) {
    fixtures::load(store).await;
    let login = code("zhangli");
    assert!(store.credential(&login).await.expect("read").is_none());
    let staff = store
        .staff_member(&login)
        .await
        .expect("read")
        .expect("staff");
    assert_eq!(staff.role, Role::Agent);
    assert!(
        store
            .staff_member(&code("nobody"))
            .await
            .expect("read")
            .is_none()
    );

    let audit = entry(AuditAction::PasswordSet, "staff", "zhangli", t(0));
    store
        .set_password(&login, "$argon2id$v=19$first", &audit)
        .await
        .expect("set password");
    store
        .save_login_state(&login, 5, Some(t(900)))
        .await
        .expect("lock");
    let c = store.credential(&login).await.expect("read").expect("cred");
    assert_eq!(c.password_hash, "$argon2id$v=19$first");
    assert_eq!((c.failed_attempts, c.locked_until), (5, Some(t(900))));
    assert!(
        !format!("{c:?}").contains("argon2id"),
        "hash kept out of Debug"
    );

    // A new password replaces the hash and clears the lock.
    store
        .set_password(&login, "$argon2id$v=19$second", &audit)
        .await
        .expect("set password");
    let c = store.credential(&login).await.expect("read").expect("cred");
    assert_eq!(c.password_hash, "$argon2id$v=19$second");
    assert_eq!((c.failed_attempts, c.locked_until), (0, None));

    // Unknown staff: a clear error, nothing written, no audit record.
    let before = store
        .search_audit(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit")
        .len();
    match store.set_password(&code("ghost"), "x", &audit).await {
        Err(StoreError::MissingReference { field, value }) => {
            assert_eq!((field, value.as_str()), ("login", "ghost"));
        }
        other => panic!("expected a missing reference, got {other:?}"),
    }
    let records = store
        .search_audit(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(records.len(), before);
    assert_eq!(before, 2, "one audit record per password change");
}

pub async fn sessions_expire_and_delete(store: &dyn Store) {
    fixtures::load(store).await;
    let s = SessionRecord {
        id_hash: "a".repeat(64),
        kind: SessionKind::Staff,
        subject: "zhangli".into(),
        csrf: "csrf-token".into(),
        created_at: t(0),
        expires_at: t(3600),
    };
    store.create_session(&s).await.expect("create");
    let c = SessionRecord {
        id_hash: "b".repeat(64),
        kind: SessionKind::Customer,
        subject: "0100000001".into(),
        expires_at: t(60),
        ..s.clone()
    };
    store.create_session(&c).await.expect("create");
    assert_eq!(
        store.session(&s.id_hash).await.expect("read"),
        Some(s.clone())
    );
    assert_eq!(
        store.session(&c.id_hash).await.expect("read"),
        Some(c.clone())
    );
    assert!(store.session("nope").await.expect("read").is_none());
    // The same id twice is refused (ids are random; a clash must never merge sessions).
    assert!(store.create_session(&s).await.is_err());

    assert_eq!(store.purge_expired(t(60)).await.expect("purge"), 1);
    assert!(store.session(&c.id_hash).await.expect("read").is_none());
    store.delete_session(&s.id_hash).await.expect("delete");
    assert!(store.session(&s.id_hash).await.expect("read").is_none());
}

pub async fn api_tokens_create_list_revoke(store: &dyn Store) {
    fixtures::load(store).await;
    let new = NewApiToken {
        name: "短信网关".into(),
        token_hash: "h1".into(),
        role: Role::Dispatcher,
        org_unit: code("JZ-KFZX"),
        created_by: "staff:admin".into(),
        created_at: t(0),
        expires_at: Some(t(86_400)),
    };
    let audit = entry(AuditAction::TokenCreated, "api_token", "", t(0));
    let a = store.create_api_token(&new, &audit).await.expect("create");
    let b = store
        .create_api_token(
            &NewApiToken {
                name: "IVR".into(),
                token_hash: "h2".into(),
                expires_at: None,
                ..new.clone()
            },
            &audit,
        )
        .await
        .expect("create");
    assert!(b.id > a.id);
    assert_eq!(
        (a.name.as_str(), a.role, a.expires_at),
        ("短信网关", Role::Dispatcher, Some(t(86_400)))
    );
    assert!(a.is_live(t(10)) && !a.is_live(t(86_400)));
    assert_eq!(
        store.api_token_by_hash("h2").await.expect("read"),
        Some(b.clone())
    );
    assert!(store.api_token_by_hash("zz").await.expect("read").is_none());
    assert_eq!(
        store.list_api_tokens().await.expect("list"),
        vec![a.clone(), b.clone()]
    );

    // A duplicate hash is refused and leaves no audit record behind.
    let records = |s: &'static str| AuditQuery {
        target_kind: Some(s.into()),
        limit: 100,
        ..Default::default()
    };
    assert!(store.create_api_token(&new, &audit).await.is_err());
    let created = store
        .search_audit(&records("api_token"))
        .await
        .expect("audit");
    assert_eq!(created.len(), 2);
    // The audit record names the token's id.
    assert_eq!(created[0].entry.target, b.id.to_string());

    let rev = entry(
        AuditAction::TokenRevoked,
        "api_token",
        &a.id.to_string(),
        t(5),
    );
    let revoked = store
        .revoke_api_token(a.id, t(5), &rev)
        .await
        .expect("revoke")
        .expect("exists");
    assert_eq!(revoked.revoked_at, Some(t(5)));
    assert!(!revoked.is_live(t(6)));
    // Revoking again keeps the first time and writes no second record.
    let again = store
        .revoke_api_token(a.id, t(9), &rev)
        .await
        .expect("revoke")
        .expect("exists");
    assert_eq!(again.revoked_at, Some(t(5)));
    assert_eq!(
        store
            .search_audit(&records("api_token"))
            .await
            .expect("audit")
            .len(),
        3
    );
    assert!(
        store
            .revoke_api_token(9_999, t(9), &rev)
            .await
            .expect("revoke")
            .is_none()
    );
    // An unknown unit is a clear error.
    match store
        .create_api_token(
            &NewApiToken {
                token_hash: "h3".into(),
                org_unit: code("NOPE"),
                ..new
            },
            &audit,
        )
        .await
    {
        Err(StoreError::MissingReference { field, .. }) => assert_eq!(field, "org_unit"),
        other => panic!("expected a missing reference, got {other:?}"),
    }
}

pub async fn one_time_codes(store: &dyn Store) {
    fixtures::load(store).await;
    let n = no("0100000001");
    let otp = OtpRecord {
        customer_no: n.clone(),
        code_hash: "first".into(),
        created_at: t(0),
        expires_at: t(300),
        attempts: 0,
    };
    store.put_otp(&otp).await.expect("put");
    store.otp_failed(&n).await.expect("fail");
    store.otp_failed(&n).await.expect("fail");
    assert_eq!(store.otp(&n).await.expect("read").expect("otp").attempts, 2);
    // A new code replaces the old one and resets the attempts.
    let second = OtpRecord {
        code_hash: "second".into(),
        created_at: t(100),
        expires_at: t(400),
        ..otp.clone()
    };
    store.put_otp(&second).await.expect("put");
    assert_eq!(store.otp(&n).await.expect("read"), Some(second));
    store.delete_otp(&n).await.expect("delete");
    assert!(store.otp(&n).await.expect("read").is_none());
    store.put_otp(&otp).await.expect("put");
    assert_eq!(store.purge_expired(t(300)).await.expect("purge"), 1);
    assert!(store.otp(&n).await.expect("read").is_none());
    // Codes only for customers that exist.
    assert!(
        store
            .put_otp(&OtpRecord {
                customer_no: no("0999999999"),
                ..otp
            })
            .await
            .is_err()
    );
}

pub async fn audit_trail_is_append_only_and_searchable(store: &dyn Store) {
    fixtures::load(store).await;
    let agent = Actor::Staff {
        login: code("zhangli"),
        name: "张丽".into(),
        role: Role::Agent,
        org_unit: code("JZ-KFZX"),
    };
    let mut ids = Vec::new();
    for i in 0..5 {
        let e = AuditEntry::new(
            &agent,
            AuditAction::Unmask,
            "customer",
            format!("010000000{i}"),
            "10.0.0.7",
            t(i * 60),
        )
        .reason("客户来电核实身份")
        .change(None, Some(r#"{"fields":["phone"]}"#.into()));
        ids.push(store.append_audit(&e).await.expect("append"));
    }
    let login = AuditEntry::new(
        &admin(),
        AuditAction::Login,
        "staff",
        "admin",
        "10.0.0.1",
        t(600),
    );
    ids.push(store.append_audit(&login).await.expect("append"));
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase");

    let all = store
        .search_audit(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(all.len(), 6);
    assert_eq!(all[0].entry, login, "newest first, stored exactly");
    assert_eq!(all[5].entry.reason.as_deref(), Some("客户来电核实身份"));
    assert_eq!(all[5].entry.role, Some(Role::Agent));

    let q = |f: &dyn Fn(&mut AuditQuery)| {
        let mut q = AuditQuery {
            limit: 100,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let count = |q: AuditQuery| async move { store.search_audit(&q).await.expect("search").len() };
    assert_eq!(
        count(q(&|q| q.actor = Some("staff:zhangli".into()))).await,
        5
    );
    assert_eq!(count(q(&|q| q.action = Some(AuditAction::Login))).await, 1);
    assert_eq!(
        count(q(&|q| {
            q.target_kind = Some("customer".into());
            q.target = Some("0100000003".into());
        }))
        .await,
        1
    );
    assert_eq!(
        count(q(&|q| {
            q.from = Some(t(60));
            q.to = Some(t(180));
        }))
        .await,
        2
    );
    // Paging back by id.
    let page = store
        .search_audit(&AuditQuery {
            limit: 2,
            before_id: Some(ids[3]),
            ..Default::default()
        })
        .await
        .expect("page");
    assert_eq!(
        page.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );
    let later = t(0)
        .checked_add(SignedDuration::from_hours(1))
        .expect("time");
    assert_eq!(count(q(&|q| q.from = Some(later))).await, 0);
}

/// The scope filter restricts a search to the reader's units; an empty scope finds nothing.
pub async fn search_within_units(store: &dyn Store) {
    fixtures::load(store).await;
    let all = store
        .search_customers(None, &CustomerFilter::default(), 1000)
        .await
        .expect("search");
    let units = [code("JZ-QS"), code("JZ-QS-QS")];
    let scoped = store
        .search_customers(
            None,
            &CustomerFilter {
                within_units: Some(units.to_vec()),
                ..Default::default()
            },
            1000,
        )
        .await
        .expect("search");
    let want: Vec<String> = fixtures::customers()
        .iter()
        .filter(|c| units.contains(&c.org_unit))
        .map(|c| c.customer_no.to_string())
        .collect();
    assert!(!want.is_empty() && want.len() < all.len());
    let mut got: Vec<String> = scoped.iter().map(|s| s.customer_no.to_string()).collect();
    got.sort();
    let mut want = want;
    want.sort();
    assert_eq!(got, want);
    let none = store
        .search_customers(
            Some(
                &griddesk_domain::search::SearchQuery::parse(all[0].customer_no.as_str())
                    .expect("query"),
            ),
            &CustomerFilter {
                within_units: Some(Vec::new()),
                ..Default::default()
            },
            1000,
        )
        .await
        .expect("search");
    assert!(none.is_empty());
}
