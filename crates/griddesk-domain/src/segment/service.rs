//! Service tiers and entitlements per grade (D4.5): which tier of the agent queue a customer is
//! in (the numbers of [`crate::queue`]: 1 green channel, 2 middle, 3 basic) and which services
//! it is entitled to, from a configurable table keyed by ABC class, by value-matrix quadrant and
//! by three-dimension grade.
//!
//! Defaults: ABC A and B both get tier 1 — the seed treats A and B alike as important customers
//! (重要客户), C as ordinary — A with every top entitlement, B without the expert clinic and the
//! energy-efficiency report (the value-added services the seed sells as packages); C tier 2 with
//! SMS notices and the 24 h callback; D tier 3, basic service with some services charged. The
//! tier follows the ABC class unless the table's `basis` says otherwise. By grade: special (10 %)
//! gets the top tier, grades 1 and 2 the middle tier (grade 1 with appointments and personal
//! outage calls), grade 3 basic service.

use super::grading::{AbcClass, ThreeDimGrade};
use super::matrix::Quadrant;
use crate::ParseError;
use crate::queue::{BASIC_TIER, GREEN_CHANNEL_TIER, MIDDLE_TIER};
use Entitlement::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

code_enum! {
    /// A service a tier may be entitled to.
    Entitlement, "entitlement" {
        GreenChannel = "green_channel", "绿色通道", "Green channel";
        DedicatedManager = "dedicated_manager", "专属客户经理", "Dedicated customer manager";
        Appointment = "appointment", "预约服务", "Appointment service";
        ExpertClinic = "expert_clinic", "专家门诊", "Expert clinic";
        EfficiencyReport = "efficiency_report", "能效分析报告", "Energy-efficiency report";
        /// 后停先送: shed last, restored first.
        RestorationPriority = "restoration_priority", "后停先送", "Restoration priority";
        OutageCall = "outage_call", "停电电话告知", "Personal outage call";
        SmsNotice = "sms_notice", "短信通知", "SMS notices";
        Callback24h = "callback_24h", "24小时回呼", "Callback within 24 h";
        ChargedServices = "charged_services", "部分服务收费", "Some services charged";
    }
}

code_enum! {
    /// Which grading decides the tier. By default the ABC class: the pyramid's shares bound the
    /// green channel to about 5 % of customers, where quadrants around the mean could put a
    /// quarter or more there.
    #[derive(Default)]
    TierBasis, "basis" {
        #[default]
        Abc = "abc", "按ABC分类", "ABC class";
        Quadrant = "quadrant", "按价值矩阵", "Value-matrix quadrant";
        /// Three-dimension grade.
        Grade = "grade", "按三维分级", "Three-dimension grade";
        /// The better of ABC class and quadrant (lower tier; entitlements of both on equal
        /// tiers).
        Best = "best", "取较优者", "The better of the two";
    }
}

/// The service of one grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRule {
    /// 1 (green channel) ..= 3 (basic), as in [`crate::queue`].
    pub tier: u8,
    pub entitlements: BTreeSet<Entitlement>,
}

fn rule(tier: u8, entitlements: &[Entitlement]) -> TierRule {
    TierRule {
        tier,
        entitlements: entitlements.iter().copied().collect(),
    }
}

/// Every top entitlement of D4.5.
const TOP: &[Entitlement] = &[
    GreenChannel,
    DedicatedManager,
    Appointment,
    ExpertClinic,
    EfficiencyReport,
    RestorationPriority,
    OutageCall,
    SmsNotice,
];

/// The rule per ABC class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbcRules {
    pub a: TierRule,
    pub b: TierRule,
    pub c: TierRule,
    pub d: TierRule,
}

impl Default for AbcRules {
    fn default() -> Self {
        Self {
            a: rule(GREEN_CHANNEL_TIER, TOP),
            b: rule(
                GREEN_CHANNEL_TIER,
                &[
                    GreenChannel,
                    DedicatedManager,
                    Appointment,
                    RestorationPriority,
                    OutageCall,
                    SmsNotice,
                ],
            ),
            c: rule(MIDDLE_TIER, &[SmsNotice, Callback24h]),
            d: rule(BASIC_TIER, &[ChargedServices]),
        }
    }
}

/// The rule per value-matrix quadrant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuadrantRules {
    pub vip: TierRule,
    pub growth: TierRule,
    pub maintain: TierRule,
    pub abandon: TierRule,
}

impl Default for QuadrantRules {
    /// After the quadrants' strategies (D4.4): partnership for VIPs, technical support for growth,
    /// convenient low-cost service to maintain, minimal service otherwise.
    fn default() -> Self {
        Self {
            vip: rule(GREEN_CHANNEL_TIER, TOP),
            growth: rule(
                MIDDLE_TIER,
                &[ExpertClinic, EfficiencyReport, SmsNotice, Callback24h],
            ),
            maintain: rule(MIDDLE_TIER, &[Appointment, SmsNotice, Callback24h]),
            abandon: rule(BASIC_TIER, &[ChargedServices]),
        }
    }
}

/// The rule per three-dimension grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradeRules {
    pub special: TierRule,
    pub grade1: TierRule,
    pub grade2: TierRule,
    pub grade3: TierRule,
}

impl Default for GradeRules {
    fn default() -> Self {
        Self {
            special: rule(GREEN_CHANNEL_TIER, TOP),
            grade1: rule(
                MIDDLE_TIER,
                &[Appointment, OutageCall, SmsNotice, Callback24h],
            ),
            grade2: rule(MIDDLE_TIER, &[SmsNotice, Callback24h]),
            grade3: rule(BASIC_TIER, &[ChargedServices]),
        }
    }
}

/// The configurable table from grades to service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierTable {
    pub basis: TierBasis,
    pub abc: AbcRules,
    pub quadrant: QuadrantRules,
    pub grade: GradeRules,
}

impl TierTable {
    fn rules(&self) -> [(&'static str, &TierRule); 12] {
        [
            ("tiers.abc.a", &self.abc.a),
            ("tiers.abc.b", &self.abc.b),
            ("tiers.abc.c", &self.abc.c),
            ("tiers.abc.d", &self.abc.d),
            ("tiers.quadrant.vip", &self.quadrant.vip),
            ("tiers.quadrant.growth", &self.quadrant.growth),
            ("tiers.quadrant.maintain", &self.quadrant.maintain),
            ("tiers.quadrant.abandon", &self.quadrant.abandon),
            ("tiers.grade.special", &self.grade.special),
            ("tiers.grade.grade1", &self.grade.grade1),
            ("tiers.grade.grade2", &self.grade.grade2),
            ("tiers.grade.grade3", &self.grade.grade3),
        ]
    }

    /// Every tier is one the call centre knows.
    pub fn validate(&self) -> Result<(), ParseError> {
        for (field, r) in self.rules() {
            if !(GREEN_CHANNEL_TIER..=BASIC_TIER).contains(&r.tier) {
                return Err(ParseError::new(
                    field,
                    format!(
                        "tier {} is not one of {GREEN_CHANNEL_TIER}..={BASIC_TIER}",
                        r.tier
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn for_abc(&self, c: AbcClass) -> &TierRule {
        match c {
            AbcClass::A => &self.abc.a,
            AbcClass::B => &self.abc.b,
            AbcClass::C => &self.abc.c,
            AbcClass::D => &self.abc.d,
        }
    }

    pub fn for_quadrant(&self, q: Quadrant) -> &TierRule {
        match q {
            Quadrant::Vip => &self.quadrant.vip,
            Quadrant::Growth => &self.quadrant.growth,
            Quadrant::Maintain => &self.quadrant.maintain,
            Quadrant::Abandon => &self.quadrant.abandon,
        }
    }

    pub fn for_grade(&self, g: ThreeDimGrade) -> &TierRule {
        match g {
            ThreeDimGrade::Special => &self.grade.special,
            ThreeDimGrade::Grade1 => &self.grade.grade1,
            ThreeDimGrade::Grade2 => &self.grade.grade2,
            ThreeDimGrade::Grade3 => &self.grade.grade3,
        }
    }

    /// The tier and entitlements of a customer with these grades, by the table's basis.
    pub fn tier_of(&self, quadrant: Quadrant, abc: AbcClass, grade: ThreeDimGrade) -> TierRule {
        let (by_abc, by_quadrant) = (self.for_abc(abc), self.for_quadrant(quadrant));
        match self.basis {
            TierBasis::Abc => by_abc.clone(),
            TierBasis::Quadrant => by_quadrant.clone(),
            TierBasis::Grade => self.for_grade(grade).clone(),
            TierBasis::Best => match by_abc.tier.cmp(&by_quadrant.tier) {
                std::cmp::Ordering::Less => by_abc.clone(),
                std::cmp::Ordering::Greater => by_quadrant.clone(),
                std::cmp::Ordering::Equal => TierRule {
                    tier: by_abc.tier,
                    entitlements: &by_abc.entitlements | &by_quadrant.entitlements,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::QueuePolicy;

    #[test]
    fn default_tiers_follow_the_abc_class() {
        let t = TierTable::default();
        assert!(t.validate().is_ok());
        let a = t.tier_of(Quadrant::Abandon, AbcClass::A, ThreeDimGrade::Grade3);
        assert_eq!(a.tier, GREEN_CHANNEL_TIER);
        for e in [
            GreenChannel,
            DedicatedManager,
            Appointment,
            ExpertClinic,
            EfficiencyReport,
            RestorationPriority,
            OutageCall,
        ] {
            assert!(a.entitlements.contains(&e), "{e}");
        }
        let b = t.tier_of(Quadrant::Vip, AbcClass::B, ThreeDimGrade::Grade3);
        assert_eq!(b.tier, GREEN_CHANNEL_TIER);
        assert!(b.entitlements.contains(&GreenChannel) && !b.entitlements.contains(&ExpertClinic));
        let c = t.tier_of(Quadrant::Vip, AbcClass::C, ThreeDimGrade::Grade3);
        assert_eq!(c, rule(MIDDLE_TIER, &[SmsNotice, Callback24h]));
        let d = t.tier_of(Quadrant::Vip, AbcClass::D, ThreeDimGrade::Grade3);
        assert_eq!(d, rule(BASIC_TIER, &[ChargedServices]));
    }

    #[test]
    fn the_callback_entitlement_matches_the_queue_policy() {
        // The queue calls back exactly the tiers whose rules promise the 24 h callback.
        let t = TierTable::default();
        let q = QueuePolicy::default();
        for (field, r) in t.rules() {
            assert_eq!(
                r.entitlements.contains(&Callback24h),
                q.callback_tiers.contains(&r.tier),
                "{field}"
            );
        }
    }

    #[test]
    fn other_bases() {
        let mut t = TierTable {
            basis: TierBasis::Quadrant,
            ..TierTable::default()
        };
        assert_eq!(
            t.tier_of(Quadrant::Vip, AbcClass::D, ThreeDimGrade::Grade3)
                .tier,
            1
        );
        t.basis = TierBasis::Best;
        assert_eq!(
            t.tier_of(Quadrant::Abandon, AbcClass::A, ThreeDimGrade::Grade3)
                .tier,
            1
        );
        assert_eq!(
            t.tier_of(Quadrant::Vip, AbcClass::D, ThreeDimGrade::Grade3)
                .tier,
            1
        );
        let both = t.tier_of(Quadrant::Growth, AbcClass::C, ThreeDimGrade::Special);
        assert_eq!(
            both,
            rule(
                MIDDLE_TIER,
                &[ExpertClinic, EfficiencyReport, SmsNotice, Callback24h]
            )
        );
        t.basis = TierBasis::Grade;
        let special = t.tier_of(Quadrant::Abandon, AbcClass::D, ThreeDimGrade::Special);
        assert_eq!(special.tier, GREEN_CHANNEL_TIER);
        assert!(special.entitlements.contains(&ExpertClinic));
        let g1 = t.tier_of(Quadrant::Vip, AbcClass::A, ThreeDimGrade::Grade1);
        assert_eq!(g1.tier, MIDDLE_TIER);
        assert!(g1.entitlements.contains(&OutageCall) && !g1.entitlements.contains(&GreenChannel));
        let g3 = t.tier_of(Quadrant::Vip, AbcClass::A, ThreeDimGrade::Grade3);
        assert_eq!(g3, rule(BASIC_TIER, &[ChargedServices]));
    }

    #[test]
    fn unknown_tiers_are_rejected() {
        let mut t = TierTable::default();
        t.quadrant.growth.tier = 4;
        let e = t.validate().unwrap_err();
        assert_eq!(e.field, "tiers.quadrant.growth");
        t.quadrant.growth.tier = 0;
        assert!(t.validate().is_err());
        let json = r#"{"abc": {"c": {"tier": 2, "entitlements": ["sms_notice", "fax"]}}}"#;
        assert!(serde_json::from_str::<TierTable>(json).is_err());
        let json = r#"{"basis": "best", "abc": {"c": {"tier": 3, "entitlements": []}}}"#;
        let t: TierTable = serde_json::from_str(json).unwrap();
        assert_eq!(t.abc.c.tier, 3);
        assert_eq!(
            t.abc.a,
            AbcRules::default().a,
            "the other classes keep their defaults"
        );
    }
}
