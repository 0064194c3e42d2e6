//! Work orders (D2): types, channels, the lifecycle state machine and its actions. Every accepted
//! action becomes an event kept forever; an illegal action is an error, never a silent no-op.
//!
//! Lifecycle: accepted → dispatched → acknowledged → [fault repair: on site] → handled →
//! replied → called back → archived. Besides: transfer (the first-contact agent keeps ownership,
//! 内转外不转), escalation, merge into an outage, return (退单), cancel with a reason, reopen.

code_enum! {
    /// Kind of customer request (D2).
    OrderType, "order_type" {
        Consultation = "consultation", "咨询", "Consultation";
        Query = "query", "查询", "Information query";
        FaultRepair = "fault_repair", "故障报修", "Fault repair";
        Complaint = "complaint", "投诉", "Complaint";
        Report = "report", "举报", "Report of violation or theft";
        Opinion = "opinion", "意见建议", "Opinion or suggestion";
        Praise = "praise", "表扬", "Praise";
        ServiceRequest = "service_request", "服务申请", "Service request";
        BusinessApplication = "business_application", "业扩报装/变更", "Business application";
    }
}

code_enum! {
    /// Where a request came in (D2).
    Channel, "channel" {
        Phone95598 = "phone", "95598电话", "95598 phone";
        Web = "web", "网站", "Web portal";
        App = "app", "掌上电力/微信", "App / WeChat";
        Email = "email", "电子邮件", "E-mail";
        Sms = "sms", "短信", "SMS";
        Counter = "counter", "营业厅柜台", "Counter";
        Field = "field", "现场", "Field";
    }
}

code_enum! {
    /// How a contact with a customer happened (客户接触记录, D2).
    ContactKind, "kind" {
        Call = "call", "电话", "Phone call";
        Visit = "visit", "上门", "Site visit";
        Sms = "sms", "短信", "SMS";
        Email = "email", "电子邮件", "E-mail";
        Counter = "counter", "柜台", "Counter";
        Online = "online", "网站/App", "Web or app";
    }
}

impl Channel {
    /// The contact a request through this channel is.
    pub fn contact_kind(self) -> ContactKind {
        match self {
            Channel::Phone95598 => ContactKind::Call,
            Channel::Web | Channel::App => ContactKind::Online,
            Channel::Email => ContactKind::Email,
            Channel::Sms => ContactKind::Sms,
            Channel::Counter => ContactKind::Counter,
            Channel::Field => ContactKind::Visit,
        }
    }
}

code_enum! {
    /// What a booked appointment is for (服务预约).
    AppointmentKind, "kind" {
        SiteVisit = "site_visit", "上门服务", "Site visit";
        Counter = "counter", "营业厅办理", "Counter service";
    }
}

code_enum! {
    /// Where a work order stands.
    Status, "status" {
        Accepted = "accepted", "已受理", "Accepted";
        Dispatched = "dispatched", "已派单", "Dispatched";
        Acknowledged = "acknowledged", "已接单", "Acknowledged";
        OnSite = "on_site", "已到达现场", "On site";
        Handled = "handled", "处理完成", "Handled";
        Replied = "replied", "已回复", "Replied";
        CalledBack = "called_back", "已回访", "Called back";
        Archived = "archived", "已归档", "Archived";
        Merged = "merged", "已并入停电事件", "Merged into an outage";
        Cancelled = "cancelled", "已撤销", "Cancelled";
    }
}

impl Status {
    /// No further work: archived, merged or cancelled.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Archived | Status::Merged | Status::Cancelled)
    }

    /// The customer's matter is dealt with (the SLA clock of handling has stopped).
    pub fn is_handled(self) -> bool {
        matches!(
            self,
            Status::Handled | Status::Replied | Status::CalledBack | Status::Archived
        )
    }

    /// Still being worked on (the SLA clock runs, pauses apply).
    pub fn is_open(self) -> bool {
        !self.is_handled() && !self.is_final()
    }
}

code_enum! {
    /// Why the SLA clock is paused: the order waits on the customer.
    PauseReason, "pause_reason" {
        Documents = "documents", "等待客户补充资料", "Waiting for documents";
        Access = "access", "等待客户提供现场条件", "Waiting for site access";
        Unreachable = "unreachable", "客户无法联系", "Customer unreachable";
        Appointment = "appointment", "按客户预约时间", "Customer's booked time";
    }
}

/// What someone does to an order. Carried data (units, reasons, scores) is validated by the
/// caller; the state machine decides only whether the step is legal now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send to a handling unit (first dispatch, or re-dispatch after a return).
    Dispatch,
    /// The handling unit takes it.
    Acknowledge,
    /// The crew arrives on site (fault repair: stops the arrival clock).
    Arrive,
    Handle,
    /// The answer is given to the customer.
    Reply,
    /// The callback (回访) with a satisfaction score 1-5.
    Callback {
        satisfaction: u8,
    },
    Archive,
    /// Hand over to another unit; the first-contact agent stays the owner.
    Transfer,
    /// Supervision (督办): the order is escalated; status unchanged.
    Escalate,
    /// Repair call merged into a known outage.
    Merge,
    /// 退单: the handling unit sends it back (to be dispatched again), or a handled order goes
    /// back for rework.
    Return,
    Cancel,
    /// A closed order reopened by the customer's complaint about its handling, or a dissatisfied
    /// callback.
    Reopen,
    PauseSla,
    ResumeSla,
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Dispatch => "dispatch",
            Action::Acknowledge => "acknowledge",
            Action::Arrive => "arrive",
            Action::Handle => "handle",
            Action::Reply => "reply",
            Action::Callback { .. } => "callback",
            Action::Archive => "archive",
            Action::Transfer => "transfer",
            Action::Escalate => "escalate",
            Action::Merge => "merge",
            Action::Return => "return",
            Action::Cancel => "cancel",
            Action::Reopen => "reopen",
            Action::PauseSla => "pause_sla",
            Action::ResumeSla => "resume_sla",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {action} an order that is {from}")]
    Illegal { action: &'static str, from: Status },
    #[error("a fault repair must have the crew on site before it is handled")]
    ArrivalFirst,
    #[error("satisfaction is scored 1 to 5, not {0}")]
    Score(u8),
    #[error("only fault repairs merge into outages")]
    MergeNotRepair,
    #[error("the SLA clock is {0}")]
    Clock(&'static str),
}

/// The part of an order the state machine looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderState {
    pub order_type: OrderType,
    pub status: Status,
    /// The crew has been on site (fault repairs).
    pub arrived: bool,
    /// The SLA clock is paused.
    pub paused: bool,
}

impl OrderState {
    pub fn new(order_type: OrderType) -> Self {
        Self {
            order_type,
            status: Status::Accepted,
            arrived: false,
            paused: false,
        }
    }

    /// The state after `action`, or why the action is not allowed now.
    pub fn apply(self, action: &Action) -> Result<OrderState, TransitionError> {
        use Status::*;
        let illegal = || TransitionError::Illegal {
            action: action.code(),
            from: self.status,
        };
        let mut next = self;
        match action {
            Action::Dispatch => match self.status {
                Accepted => next.status = Dispatched,
                _ => return Err(illegal()),
            },
            Action::Acknowledge => match self.status {
                Dispatched => next.status = Acknowledged,
                _ => return Err(illegal()),
            },
            Action::Arrive => match self.status {
                Acknowledged => {
                    next.status = OnSite;
                    next.arrived = true;
                }
                _ => return Err(illegal()),
            },
            Action::Handle => match self.status {
                // Consultations and queries are often answered at first contact.
                Accepted
                    if matches!(
                        self.order_type,
                        OrderType::Consultation | OrderType::Query | OrderType::Praise
                    ) =>
                {
                    next.status = Handled;
                }
                Acknowledged | OnSite => {
                    if self.order_type == OrderType::FaultRepair && !self.arrived {
                        return Err(TransitionError::ArrivalFirst);
                    }
                    next.status = Handled;
                }
                _ => return Err(illegal()),
            },
            Action::Reply => match self.status {
                Handled => next.status = Replied,
                _ => return Err(illegal()),
            },
            Action::Callback { satisfaction } => {
                if !(1..=5).contains(satisfaction) {
                    return Err(TransitionError::Score(*satisfaction));
                }
                match self.status {
                    Replied => next.status = CalledBack,
                    _ => return Err(illegal()),
                }
            }
            Action::Archive => match self.status {
                CalledBack => next.status = Archived,
                _ => return Err(illegal()),
            },
            Action::Transfer => match self.status {
                Dispatched | Acknowledged => next.status = Dispatched,
                _ => return Err(illegal()),
            },
            Action::Escalate => {
                if !self.status.is_open() {
                    return Err(illegal());
                }
            }
            Action::Merge => {
                if self.order_type != OrderType::FaultRepair {
                    return Err(TransitionError::MergeNotRepair);
                }
                if !self.status.is_open() {
                    return Err(illegal());
                }
                next.status = Merged;
                next.paused = false;
            }
            Action::Return => match self.status {
                Dispatched | Acknowledged | OnSite => next.status = Accepted,
                Handled | Replied => next.status = Dispatched,
                _ => return Err(illegal()),
            },
            Action::Cancel => {
                if !self.status.is_open() {
                    return Err(illegal());
                }
                next.status = Cancelled;
                next.paused = false;
            }
            Action::Reopen => match self.status {
                Replied | CalledBack | Archived => {
                    next.status = Accepted;
                    next.arrived = false;
                }
                _ => return Err(illegal()),
            },
            Action::PauseSla => {
                if !self.status.is_open() {
                    return Err(illegal());
                }
                if self.paused {
                    return Err(TransitionError::Clock("already paused"));
                }
                next.paused = true;
            }
            Action::ResumeSla => {
                if !self.paused {
                    return Err(TransitionError::Clock("not paused"));
                }
                next.paused = false;
            }
        }
        // A clock runs only while the order is open: whatever closes it stops the pause too.
        if !next.status.is_open() {
            next.paused = false;
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: OrderType, actions: &[Action]) -> Result<OrderState, TransitionError> {
        actions
            .iter()
            .try_fold(OrderState::new(t), |s, a| s.apply(a))
    }

    #[test]
    fn a_fault_repair_runs_its_whole_life() {
        use Action::*;
        let s = run(
            OrderType::FaultRepair,
            &[
                Dispatch,
                Acknowledge,
                Arrive,
                Handle,
                Reply,
                Callback { satisfaction: 5 },
                Archive,
            ],
        )
        .unwrap();
        assert_eq!(s.status, Status::Archived);
        assert!(s.status.is_final());
    }

    #[test]
    fn a_repair_cannot_be_handled_before_arrival() {
        use Action::*;
        assert_eq!(
            run(OrderType::FaultRepair, &[Dispatch, Acknowledge, Handle]),
            Err(TransitionError::ArrivalFirst)
        );
        // Other types may be handled after acknowledgement.
        assert_eq!(
            run(OrderType::Complaint, &[Dispatch, Acknowledge, Handle])
                .unwrap()
                .status,
            Status::Handled
        );
    }

    #[test]
    fn illegal_steps_are_errors() {
        use Action::*;
        assert_eq!(
            run(OrderType::Complaint, &[Reply]),
            Err(TransitionError::Illegal {
                action: "reply",
                from: Status::Accepted
            })
        );
        assert!(run(OrderType::Complaint, &[Dispatch, Dispatch]).is_err());
        assert!(run(OrderType::Complaint, &[Cancel, Dispatch]).is_err());
        assert_eq!(
            run(OrderType::Complaint, &[Merge]),
            Err(TransitionError::MergeNotRepair)
        );
        assert_eq!(
            run(
                OrderType::Opinion,
                &[
                    Dispatch,
                    Acknowledge,
                    Handle,
                    Reply,
                    Callback { satisfaction: 6 }
                ]
            ),
            Err(TransitionError::Score(6))
        );
    }

    #[test]
    fn consultations_can_be_answered_at_first_contact() {
        use Action::*;
        let s = run(OrderType::Consultation, &[Handle, Reply]).unwrap();
        assert_eq!(s.status, Status::Replied);
        assert!(run(OrderType::Complaint, &[Handle]).is_err());
    }

    #[test]
    fn returns_reopens_transfers_and_pauses() {
        use Action::*;
        // A crew returns an order: it goes back to be dispatched again.
        let s = run(OrderType::ServiceRequest, &[Dispatch, Acknowledge, Return]).unwrap();
        assert_eq!(s.status, Status::Accepted);
        // Rework after handling.
        let s = run(
            OrderType::ServiceRequest,
            &[Dispatch, Acknowledge, Handle, Return],
        )
        .unwrap();
        assert_eq!(s.status, Status::Dispatched);
        // A dissatisfied callback reopens.
        let s = run(
            OrderType::Complaint,
            &[
                Dispatch,
                Acknowledge,
                Handle,
                Reply,
                Callback { satisfaction: 1 },
                Reopen,
            ],
        )
        .unwrap();
        assert_eq!(s.status, Status::Accepted);
        // Transfer keeps the order dispatched.
        let s = run(OrderType::Complaint, &[Dispatch, Acknowledge, Transfer]).unwrap();
        assert_eq!(s.status, Status::Dispatched);
        // The clock pauses once and resumes once.
        assert!(run(OrderType::Complaint, &[PauseSla, PauseSla]).is_err());
        assert!(run(OrderType::Complaint, &[ResumeSla]).is_err());
        let s = run(OrderType::Complaint, &[PauseSla, Dispatch, ResumeSla]).unwrap();
        assert!(!s.paused);
        // Escalation leaves the status alone, but only while open.
        assert_eq!(
            run(OrderType::Complaint, &[Dispatch, Escalate])
                .unwrap()
                .status,
            Status::Dispatched
        );
        assert!(run(OrderType::Consultation, &[Handle, Escalate]).is_err());
        // A repair merges into an outage.
        assert_eq!(
            run(OrderType::FaultRepair, &[Dispatch, Merge])
                .unwrap()
                .status,
            Status::Merged
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_type() -> impl Strategy<Value = OrderType> {
            proptest::sample::select(OrderType::ALL.to_vec())
        }

        fn any_action() -> impl Strategy<Value = Action> {
            use Action::*;
            prop_oneof![
                Just(Dispatch),
                Just(Acknowledge),
                Just(Arrive),
                Just(Handle),
                Just(Reply),
                (0u8..8).prop_map(|satisfaction| Callback { satisfaction }),
                Just(Archive),
                Just(Transfer),
                Just(Escalate),
                Just(Merge),
                Just(Return),
                Just(Cancel),
                Just(Reopen),
                Just(PauseSla),
                Just(ResumeSla),
            ]
        }

        /// What must hold of every reachable state.
        fn check(s: &OrderState) -> Result<(), TestCaseError> {
            prop_assert!(
                !s.paused || s.status.is_open(),
                "a closed order's clock is paused: {s:?}"
            );
            prop_assert!(
                s.status != Status::OnSite || s.arrived,
                "on site without arrival: {s:?}"
            );
            prop_assert!(
                s.status != Status::Merged || s.order_type == OrderType::FaultRepair,
                "only repairs merge: {s:?}"
            );
            if s.order_type == OrderType::FaultRepair && s.status.is_handled() {
                prop_assert!(
                    s.arrived,
                    "a repair handled without the crew on site: {s:?}"
                );
            }
            Ok(())
        }

        /// The only statuses each status may be entered from (besides staying put).
        fn entered_legally(from: &OrderState, to: &OrderState) -> bool {
            use Status::*;
            if from.status == to.status {
                return true;
            }
            match to.status {
                Accepted => matches!(
                    from.status,
                    Dispatched | Acknowledged | OnSite | Replied | CalledBack | Archived
                ),
                Dispatched => matches!(from.status, Accepted | Acknowledged | Handled | Replied),
                Acknowledged => from.status == Dispatched,
                OnSite => from.status == Acknowledged,
                Handled => match from.status {
                    Accepted => matches!(
                        from.order_type,
                        OrderType::Consultation | OrderType::Query | OrderType::Praise
                    ),
                    s => matches!(s, Acknowledged | OnSite),
                },
                Replied => from.status == Handled,
                CalledBack => from.status == Replied,
                Archived => from.status == CalledBack,
                Merged | Cancelled => from.status.is_open(),
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// No sequence of commands reaches an illegal state or takes an illegal edge; refused
            /// commands change nothing; merged and cancelled orders accept nothing more.
            #[test]
            fn no_command_sequence_reaches_an_illegal_state(
                t in any_type(),
                actions in proptest::collection::vec(any_action(), 0..40),
            ) {
                let mut s = OrderState::new(t);
                check(&s)?;
                for a in &actions {
                    let terminal = matches!(s.status, Status::Merged | Status::Cancelled);
                    match s.apply(a) {
                        Ok(next) => {
                            prop_assert!(!terminal, "{a:?} accepted on a {} order", s.status);
                            prop_assert!(entered_legally(&s, &next), "{a:?}: {s:?} -> {next:?}");
                            prop_assert_eq!(next.order_type, s.order_type);
                            check(&next)?;
                            s = next;
                        }
                        Err(TransitionError::Score(n)) => prop_assert!(!(1..=5).contains(&n)),
                        Err(_) => {}
                    }
                }
            }

            /// Every order type can always be brought to an end (archived or cancelled) from any
            /// reachable state: nothing gets stuck.
            #[test]
            fn every_reachable_state_can_still_be_closed(
                t in any_type(),
                actions in proptest::collection::vec(any_action(), 0..30),
            ) {
                let mut s = OrderState::new(t);
                for a in &actions {
                    if let Ok(n) = s.apply(a) { s = n; }
                }
                let closable = s.status.is_final()
                    || s.apply(&Action::Cancel).is_ok()
                    || s.apply(&Action::Archive).is_ok()
                    || s.apply(&Action::Callback { satisfaction: 5 }).is_ok()
                    || s.apply(&Action::Reply).is_ok();
                prop_assert!(closable, "stuck in {s:?}");
            }
        }
    }
}
