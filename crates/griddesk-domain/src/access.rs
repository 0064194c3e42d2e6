//! Access control rules (D0 roles, D12): the one permission table, the scope of what an actor may
//! see in the organisation tree, when personal data is shown unmasked, the login-lockout policy
//! and the audit-trail vocabulary. Pure rules; the server enforces them and the store keeps
//! their records.

use crate::customer::Customer;
use crate::org::{OrgUnit, Role};
use crate::values::{Code, CustomerNo};
use std::collections::{BTreeSet, HashMap};

code_enum! {
    /// What an actor may do. Every route of the server names exactly one permission (or is
    /// public), and [`Role::permissions`] is the single table of who holds which.
    Permission, "permission" {
        /// Search the archive, open a customer's 360 record, history and plates; org units, stats.
        ArchiveRead = "archive_read", "查阅客户档案", "Read the customer archive";
        /// Show a customer's personal information unmasked, with a reason (audited).
        PiiUnmask = "pii_unmask", "查看完整个人信息", "Unmask personal information";
        /// Search and export the audit trail.
        AuditRead = "audit_read", "查阅审计日志", "Read the audit trail";
        /// Create, list and revoke API tokens of integrations.
        TokenAdmin = "token_admin", "管理接口令牌", "Manage API tokens";
        /// Prometheus metrics.
        OpsRead = "ops_read", "查看运行指标", "Read operational metrics";
        /// See work orders and their queue.
        OrderRead = "order_read", "查看工单", "Read work orders";
        /// Take requests as work orders and work on them (dispatch, handle, reply, callback).
        OrderWrite = "order_write", "受理与处理工单", "Create and work on work orders";
        /// The complaint ledger and its analysis (投诉台账), with its Excel export.
        ComplaintLedger = "complaint_ledger", "查阅投诉台账", "Read the complaint ledger";
        /// Find the responsibility of a complaint (责任认定).
        ComplaintFinding = "complaint_finding", "投诉责任认定", "Find complaint responsibility";
        /// Write knowledge-base articles (guides, checklists, standard answers).
        KnowledgeWrite = "knowledge_write", "维护知识库", "Edit the knowledge base";
        /// Record outages and take their steps (dispatching, restoration).
        OutageWrite = "outage_write", "停电管理", "Record and manage outages";
        /// A customer's own account in self-service.
        SelfService = "self_service", "自助服务", "Self-service of one's own account";
    }
}

impl Role {
    /// The permission table: which role holds which permission. The only place this is decided.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            // Front-line roles need to call, visit and identify customers: they may unmask.
            Role::Agent | Role::Crew | Role::CustomerManager | Role::Inspector => {
                &[ArchiveRead, PiiUnmask, OrderRead, OrderWrite]
            }
            Role::Dispatcher => &[ArchiveRead, PiiUnmask, OrderRead, OrderWrite, OutageWrite],
            Role::Analyst => &[ArchiveRead, OrderRead, ComplaintLedger],
            Role::Supervisor => &[
                ArchiveRead,
                PiiUnmask,
                AuditRead,
                OrderRead,
                OrderWrite,
                ComplaintLedger,
                ComplaintFinding,
                KnowledgeWrite,
                OutageWrite,
            ],
            // Administrators run the system; they have no business need for customers' personal data.
            Role::Admin => &[ArchiveRead, AuditRead, TokenAdmin, OpsRead],
            Role::Customer => &[SelfService],
        }
    }

    pub fn has(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }

    /// Roles that serve the whole company whatever unit they belong to: the 95598 centre takes
    /// calls and dispatches for every unit, analysts and supervisors report on all of them.
    /// Other staff see their own unit and the units below it.
    pub fn is_company_wide(self) -> bool {
        matches!(
            self,
            Role::Agent | Role::Dispatcher | Role::Analyst | Role::Supervisor | Role::Admin
        )
    }

    /// Roles a staff account or API token may have (every role but the customer's).
    pub fn staff_roles() -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(|r| *r != Role::Customer)
    }
}

/// Who is acting: a staff member logged in to the console, an integration with an API token, a
/// customer in self-service, or the system itself (CLI jobs, background work).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Staff {
        login: Code,
        name: String,
        role: Role,
        org_unit: Code,
    },
    Token {
        id: i64,
        name: String,
        role: Role,
        org_unit: Code,
    },
    Customer {
        customer_no: CustomerNo,
    },
    System {
        name: String,
    },
}

impl Actor {
    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Staff { role, .. } | Actor::Token { role, .. } => Some(*role),
            Actor::Customer { .. } => Some(Role::Customer),
            Actor::System { .. } => None,
        }
    }

    /// The system holds every permission; others by their role.
    pub fn may(&self, p: Permission) -> bool {
        match self {
            Actor::System { .. } => true,
            _ => self.role().is_some_and(|r| r.has(p)),
        }
    }

    /// Stable identifier in the audit trail: `staff:agent01`, `token:7`, `customer:0100000001`.
    pub fn audit_id(&self) -> String {
        match self {
            Actor::Staff { login, .. } => format!("staff:{login}"),
            Actor::Token { id, .. } => format!("token:{id}"),
            Actor::Customer { customer_no } => format!("customer:{customer_no}"),
            Actor::System { name } => format!("system:{name}"),
        }
    }

    /// Display name (staff name, token name, customer number).
    pub fn display_name(&self) -> String {
        match self {
            Actor::Staff { name, .. } | Actor::Token { name, .. } | Actor::System { name } => {
                name.clone()
            }
            Actor::Customer { customer_no } => customer_no.to_string(),
        }
    }

    pub fn staff_login(&self) -> Option<&Code> {
        match self {
            Actor::Staff { login, .. } => Some(login),
            _ => None,
        }
    }
}

/// The organisation tree, for subtree questions.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    children: HashMap<Code, Vec<Code>>,
    known: BTreeSet<Code>,
}

impl OrgTree {
    pub fn new(units: &[OrgUnit]) -> Self {
        let mut t = OrgTree::default();
        for u in units {
            t.known.insert(u.code.clone());
            if let Some(p) = &u.parent {
                t.children
                    .entry(p.clone())
                    .or_default()
                    .push(u.code.clone());
            }
        }
        t
    }

    /// `root` and every unit below it (empty when `root` is unknown).
    pub fn subtree(&self, root: &Code) -> BTreeSet<Code> {
        let mut out = BTreeSet::new();
        if !self.known.contains(root) {
            return out;
        }
        let mut stack = vec![root.clone()];
        while let Some(c) = stack.pop() {
            if out.insert(c.clone())
                && let Some(kids) = self.children.get(&c)
            {
                stack.extend(kids.iter().cloned());
            }
        }
        out
    }

    /// True when `root` has no parent, i.e. its subtree is the whole company.
    pub fn is_root(&self, code: &Code) -> bool {
        self.known.contains(code) && !self.children.values().flatten().any(|c| c == code)
    }
}

/// Which customers an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every customer of the company.
    Company,
    /// Customers served by these organisation units.
    Units(BTreeSet<Code>),
    /// Only this customer (self-service).
    Own(CustomerNo),
    /// No customer at all.
    Nothing,
}

impl Scope {
    pub fn of(actor: &Actor, tree: &OrgTree) -> Scope {
        match actor {
            Actor::System { .. } => Scope::Company,
            Actor::Customer { customer_no } => Scope::Own(customer_no.clone()),
            Actor::Staff { role, org_unit, .. } | Actor::Token { role, org_unit, .. } => {
                if !role.has(Permission::ArchiveRead) {
                    Scope::Nothing
                } else if role.is_company_wide() || tree.is_root(org_unit) {
                    Scope::Company
                } else {
                    Scope::Units(tree.subtree(org_unit))
                }
            }
        }
    }

    /// May the actor see a customer served by `org_unit` with number `no`?
    pub fn allows(&self, no: &CustomerNo, org_unit: &Code) -> bool {
        match self {
            Scope::Company => true,
            Scope::Units(units) => units.contains(org_unit),
            Scope::Own(own) => own == no,
            Scope::Nothing => false,
        }
    }

    /// The unit codes to restrict a search to; `None` means unrestricted.
    pub fn unit_filter(&self) -> Option<Vec<Code>> {
        match self {
            Scope::Company => None,
            Scope::Units(u) => Some(u.iter().cloned().collect()),
            Scope::Own(_) | Scope::Nothing => Some(Vec::new()),
        }
    }
}

/// Why a customer's personal data is shown in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    /// The default (D12): masked.
    Masked,
    /// The reader is the customer's assigned customer manager (shown in clear, audited).
    AssignedManager,
    /// The reader asked to unmask with a reason (audited).
    Explicit,
}

impl Reveal {
    /// Default visibility of `customer` for `actor`: only the assigned customer manager sees the
    /// account unmasked without asking.
    pub fn default_for(actor: &Actor, customer: &Customer) -> Reveal {
        match actor {
            Actor::Staff {
                login,
                role: Role::CustomerManager,
                ..
            } if customer.customer_manager.as_ref() == Some(login) => Reveal::AssignedManager,
            _ => Reveal::Masked,
        }
    }

    pub fn is_clear(self) -> bool {
        self != Reveal::Masked
    }
}

/// Login throttling: after `max_failures` consecutive failures an account is locked for
/// `lock_minutes`; a success resets the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_minutes: 15,
        }
    }
}

impl LockoutPolicy {
    /// The failure count and lock after one more failure at `now`. The count restarts after
    /// a lock has expired.
    pub fn after_failure(
        &self,
        failures: u32,
        locked_until: Option<jiff::Timestamp>,
        now: jiff::Timestamp,
    ) -> (u32, Option<jiff::Timestamp>) {
        let failures = if locked_until.is_some_and(|t| t <= now) {
            1
        } else {
            failures.saturating_add(1)
        };
        if failures >= self.max_failures {
            let until = now
                .checked_add(jiff::SignedDuration::from_mins(self.lock_minutes))
                .unwrap_or(now);
            (failures, Some(until))
        } else {
            (failures, None)
        }
    }

    pub fn is_locked(locked_until: Option<jiff::Timestamp>, now: jiff::Timestamp) -> bool {
        locked_until.is_some_and(|t| t > now)
    }
}

code_enum! {
    /// What an audit record is about.
    AuditAction, "action" {
        Login = "login", "登录", "Login";
        LoginFailed = "login_failed", "登录失败", "Failed login";
        Lockout = "lockout", "账户锁定", "Account locked";
        Logout = "logout", "退出", "Logout";
        OtpIssued = "otp_issued", "发送验证码", "One-time code sent";
        Unmask = "unmask", "查看完整个人信息", "Unmasked personal information";
        PasswordSet = "password_set", "设置密码", "Password set";
        TokenCreated = "token_created", "创建接口令牌", "API token created";
        TokenRevoked = "token_revoked", "吊销接口令牌", "API token revoked";
        AuditExport = "audit_export", "导出审计日志", "Audit trail exported";
        Import = "import", "数据导入", "Data import";
        DemoData = "demo_data", "生成演示数据", "Demo data generated";
        OrderCreated = "order_created", "受理工单", "Work order accepted";
        OrderAction = "order_action", "工单操作", "Work order step";
        ComplaintRecorded = "complaint_recorded", "投诉记录", "Complaint record changed";
        CallRouted = "call_routed", "来电分配", "Incoming call routed";
        AttachmentAdded = "attachment_added", "上传工单附件", "Work-order attachment added";
        ArticleSaved = "article_saved", "知识库文章保存", "Knowledge article saved";
        OutageRecorded = "outage_recorded", "停电记录", "Outage recorded or stepped";
        OutagePlanChanged = "outage_plan_changed", "停电计划变更", "Outage plan row edited, cancelled or issued";
    }
}

/// One record of the append-only audit trail (D12): who, when, what, from where, and for
/// changes the state before and after (JSON text).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub at: jiff::Timestamp,
    /// [`Actor::audit_id`].
    pub actor: String,
    pub actor_name: String,
    pub role: Option<Role>,
    pub action: AuditAction,
    /// Kind of the record concerned: "customer", "staff", "api_token", "audit_log", "file".
    pub target_kind: String,
    pub target: String,
    pub reason: Option<String>,
    /// Client address (IP) or "cli".
    pub source: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditEntry {
    pub fn new(
        actor: &Actor,
        action: AuditAction,
        target_kind: &str,
        target: impl Into<String>,
        source: impl Into<String>,
        at: jiff::Timestamp,
    ) -> Self {
        Self {
            at,
            actor: actor.audit_id(),
            actor_name: actor.display_name(),
            role: actor.role(),
            action,
            target_kind: target_kind.to_owned(),
            target: target.into(),
            reason: None,
            source: source.into(),
            before: None,
            after: None,
        }
    }

    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reason = Some(r.into());
        self
    }

    pub fn change(mut self, before: Option<String>, after: Option<String>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

/// Minimum and maximum length of an unmask reason, in characters.
pub const REASON_CHARS: std::ops::RangeInclusive<usize> = 2..=200;

/// Checks the reason given for unmasking: required, trimmed, 2-200 characters.
pub fn parse_reason(raw: &str) -> Result<String, crate::ParseError> {
    let r = raw.trim();
    let n = r.chars().count();
    if !REASON_CHARS.contains(&n) {
        return Err(crate::ParseError::new(
            "reason",
            format!(
                "give a reason of {} to {} characters",
                REASON_CHARS.start(),
                REASON_CHARS.end()
            ),
        ));
    }
    if r.chars().any(char::is_control) {
        return Err(crate::ParseError::new(
            "reason",
            "control characters are not allowed",
        ));
    }
    Ok(r.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgKind;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn tree() -> OrgTree {
        let u = |c: &str, p: Option<&str>| OrgUnit {
            code: code(c),
            name: c.into(),
            kind: OrgKind::Branch,
            parent: p.map(code),
        };
        OrgTree::new(&[
            u("C", None),
            u("B1", Some("C")),
            u("S1", Some("B1")),
            u("S2", Some("B1")),
            u("B2", Some("C")),
        ])
    }

    fn staff(role: Role, unit: &str) -> Actor {
        Actor::Staff {
            login: code("x"),
            name: "x".into(),
            role,
            org_unit: code(unit),
        }
    }

    #[test]
    fn subtrees() {
        let t = tree();
        let s: Vec<String> = t
            .subtree(&code("B1"))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(s, ["B1", "S1", "S2"]);
        assert!(t.subtree(&code("nope")).is_empty());
        assert!(t.is_root(&code("C")));
        assert!(!t.is_root(&code("B1")));
    }

    #[test]
    fn scopes_follow_role_and_unit() {
        let t = tree();
        let no = CustomerNo::parse("0100000001").unwrap();
        let crew = Scope::of(&staff(Role::Crew, "B1"), &t);
        assert!(crew.allows(&no, &code("S2")));
        assert!(!crew.allows(&no, &code("B2")));
        // Company-wide roles see everything from any unit.
        assert_eq!(Scope::of(&staff(Role::Agent, "S1"), &t), Scope::Company);
        // Unit-scoped roles at the root see everything too.
        assert_eq!(Scope::of(&staff(Role::Inspector, "C"), &t), Scope::Company);
        let own = Scope::of(
            &Actor::Customer {
                customer_no: no.clone(),
            },
            &t,
        );
        assert!(own.allows(&no, &code("B2")));
        assert!(!own.allows(&CustomerNo::parse("0100000002").unwrap(), &code("B2")));
        assert_eq!(own.unit_filter(), Some(vec![]));
    }

    #[test]
    fn permission_table() {
        assert!(Role::Agent.has(Permission::PiiUnmask));
        assert!(!Role::Analyst.has(Permission::PiiUnmask));
        assert!(!Role::Admin.has(Permission::PiiUnmask));
        assert!(Role::Admin.has(Permission::TokenAdmin));
        assert!(Role::Supervisor.has(Permission::AuditRead));
        assert!(!Role::Agent.has(Permission::AuditRead));
        assert_eq!(Role::Customer.permissions(), &[Permission::SelfService]);
        assert!(!Role::staff_roles().any(|r| r == Role::Customer));
    }

    #[test]
    fn lockout_after_repeated_failures() {
        let p = LockoutPolicy::default();
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let mut state = (0, None);
        for i in 1..p.max_failures {
            state = p.after_failure(state.0, state.1, now);
            assert_eq!(state, (i, None));
        }
        state = p.after_failure(state.0, state.1, now);
        assert!(LockoutPolicy::is_locked(state.1, now));
        let later = now
            .checked_add(jiff::SignedDuration::from_mins(p.lock_minutes))
            .unwrap();
        assert!(!LockoutPolicy::is_locked(state.1, later));
        // After the lock expires the count starts again.
        assert_eq!(p.after_failure(state.0, state.1, later), (1, None));
    }

    #[test]
    fn reasons() {
        assert_eq!(
            parse_reason("  客户来电核实身份 ").unwrap(),
            "客户来电核实身份"
        );
        assert_eq!(parse_reason("x").unwrap_err().field, "reason");
        assert!(parse_reason(&"很".repeat(201)).is_err());
        assert!(parse_reason("ab\u{7}cd").is_err());
    }
}
