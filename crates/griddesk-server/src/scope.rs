//! What a caller may see: the scope of its role and unit in the organisation tree (cached), the
//! customer and area loaders that enforce it, unmasking with its audit record, and the per-address
//! throttle of failed logins.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::{AppState, time};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry, OrgTree, Reveal, Scope};
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::{AreaCustomers, CustomerDetail};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the organisation tree is cached; units change by import, rarely.
const ORG_TREE_TTL: Duration = Duration::from_secs(60);

/// The organisation tree, reloaded at most every minute.
#[derive(Debug, Default)]
pub struct OrgCache {
    inner: tokio::sync::RwLock<Option<(Instant, Arc<OrgTree>)>>,
}

impl OrgCache {
    pub async fn tree(&self, state: &AppState) -> Result<Arc<OrgTree>, ApiError> {
        if let Some((at, t)) = &*self.inner.read().await
            && at.elapsed() < ORG_TREE_TTL
        {
            return Ok(t.clone());
        }
        let tree = Arc::new(OrgTree::new(&state.store.list_org_units().await?));
        *self.inner.write().await = Some((Instant::now(), tree.clone()));
        Ok(tree)
    }
}

pub async fn scope_of(state: &AppState, actor: &Actor) -> Result<Scope, ApiError> {
    Ok(Scope::of(actor, &*state.orgs.tree(state).await?))
}

const OUTSIDE_SCOPE: &str = "this customer is served by an organisation unit outside yours";

/// Loads a customer the caller may see: 404 when there is none, 403 when it is outside the
/// caller's scope.
pub async fn customer_for(
    state: &AppState,
    actor: &Actor,
    no: &CustomerNo,
) -> Result<CustomerDetail, ApiError> {
    let d = crate::api::load_customer(state, no).await?;
    if scope_of(state, actor)
        .await?
        .allows(no, &d.customer.org_unit)
    {
        Ok(d)
    } else {
        Err(ApiError::Forbidden(OUTSIDE_SCOPE))
    }
}

/// Loads a transformer area the caller may see (its serving unit in scope).
pub async fn area_for(
    state: &AppState,
    actor: &Actor,
    code: &Code,
) -> Result<AreaCustomers, ApiError> {
    let a = crate::api::load_area(state, code).await?;
    match scope_of(state, actor).await? {
        Scope::Company => Ok(a),
        Scope::Units(u) if u.contains(&a.area.org_unit) => Ok(a),
        _ => Err(ApiError::Forbidden(
            "this transformer area is served by an organisation unit outside yours",
        )),
    }
}

/// The personal fields a customer record shows in clear, named in audit records.
pub const PII_FIELDS: &str = r#"{"fields":["address","id_number","phones","email"]}"#;

/// How a customer's personal data is shown to `auth` by default; the assigned customer manager
/// sees it in clear, and that read is audited like any other unmasked read (D12).
pub async fn default_reveal(
    state: &AppState,
    auth: &Auth,
    d: &CustomerDetail,
    source: &str,
) -> Result<Reveal, ApiError> {
    let reveal = Reveal::default_for(&auth.actor, &d.customer);
    if reveal.is_clear() {
        audit_unmask(
            state,
            &auth.actor,
            &d.customer.customer_no,
            "assigned customer manager",
            source,
        )
        .await?;
    }
    Ok(reveal)
}

/// Records an unmasked read. Called before the data is sent: no record, no data.
pub async fn audit_unmask(
    state: &AppState,
    actor: &Actor,
    no: &CustomerNo,
    reason: &str,
    source: &str,
) -> Result<(), ApiError> {
    let e = AuditEntry::new(
        actor,
        AuditAction::Unmask,
        "customer",
        no.as_str(),
        source,
        time::now(),
    )
    .reason(reason)
    .change(None, Some(PII_FIELDS.to_owned()));
    state.store.append_audit(&e).await?;
    Ok(())
}

/// Failed logins per client address in a sliding window (in memory: an address that hammers
/// one instance is slowed there; the per-account lockout in the database holds across instances).
#[derive(Debug, Default)]
pub struct AddrThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl AddrThrottle {
    /// `Err(seconds)` when `addr` has used up its failures in the window.
    pub fn check(&self, addr: &str, max: u32, window: Duration) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(q) = map.get_mut(addr) else {
            return Ok(());
        };
        while q.front().is_some_and(|t| t.elapsed() >= window) {
            q.pop_front();
        }
        if q.len() >= max as usize {
            let oldest = q.front().map(|t| t.elapsed()).unwrap_or_default();
            return Err(window.saturating_sub(oldest).as_secs().max(1));
        }
        Ok(())
    }

    pub fn failed(&self, addr: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bound the memory an attacker with many addresses can take.
        if map.len() > 100_000 {
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| t.elapsed() < Duration::from_secs(3600))
            });
        }
        map.entry(addr.to_owned())
            .or_default()
            .push_back(Instant::now());
    }

    pub fn succeeded(&self, addr: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_counts_failures_per_address() {
        let t = AddrThrottle::default();
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(t.check("10.0.0.1", 3, w).is_ok());
            t.failed("10.0.0.1");
        }
        let retry = t.check("10.0.0.1", 3, w).unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(t.check("10.0.0.2", 3, w).is_ok());
        t.succeeded("10.0.0.1");
        assert!(t.check("10.0.0.1", 3, w).is_ok());
    }
}
