//! The customer archive (客户档案) of D1: every classification dimension, contacts, meters,
//! the assigned customer manager and how the customer hangs on the grid.

use crate::ParseError;
use crate::topology::{AreaType, MeteringPoint};
use crate::values::{CapacityKva, Code, CustomerNo, Email, IdNumber, PhoneNumber, VoltageKv};
use serde::{Deserialize, Serialize};

code_enum! {
    /// 供用电关系.
    SupplyRelation, "supply_relation" {
        Direct = "direct", "直供", "Direct";
        Wholesale = "wholesale", "趸售", "Wholesale";
        Transfer = "transfer", "转供", "Transfer supply";
    }
}

code_enum! {
    /// 电价类别.
    TariffCategory, "tariff" {
        Residential = "residential", "居民生活", "Residential";
        NonResidentialLighting = "non_residential_lighting", "非居民照明", "Non-residential lighting";
        Commercial = "commercial", "商业", "Commercial";
        NonIndustrial = "non_industrial", "非工业", "Non-industrial";
        GeneralIndustrial = "general_industrial", "普通工业", "General industrial";
        LargeIndustrial = "large_industrial", "大工业", "Large industrial";
        Agricultural = "agricultural", "农业生产", "Agricultural";
        Wholesale = "wholesale", "趸售", "Wholesale";
    }
}

code_enum! {
    /// 用电性质.
    UsageNature, "usage_nature" {
        Normal = "normal", "正常", "Normal";
        Temporary = "temporary", "临时", "Temporary";
        Seasonal = "seasonal", "季节性", "Seasonal";
        Important = "important", "重要", "Important";
    }
}

code_enum! {
    /// 负荷重要性.
    LoadImportance, "load_importance" {
        Class1 = "class1", "一级负荷", "Class 1";
        Class2 = "class2", "二级负荷", "Class 2";
        Class3 = "class3", "三级负荷", "Class 3";
    }
}

code_enum! {
    /// 重要电力客户等级 (D5).
    ImportantGrade, "important_grade" {
        None = "none", "非重要客户", "Not important";
        Special = "special", "特级", "Special";
        Grade1 = "grade1", "一级", "Grade 1";
        Grade2 = "grade2", "二级", "Grade 2";
        Temporary = "temporary", "临时性", "Temporary";
    }
}

code_enum! {
    /// Industry (行业), a condensed GB/T 4754 list sufficient for segmentation and risk grading.
    Industry, "industry" {
        Household = "household", "城乡居民", "Household";
        Agriculture = "agriculture", "农林牧渔", "Agriculture";
        Mining = "mining", "采矿业", "Mining";
        Manufacturing = "manufacturing", "制造业", "Manufacturing";
        Chemical = "chemical", "化工", "Chemicals";
        Metallurgy = "metallurgy", "冶金", "Metallurgy";
        Construction = "construction", "建筑业", "Construction";
        Retail = "retail", "批发零售", "Wholesale and retail";
        Hospitality = "hospitality", "住宿餐饮", "Hotels and catering";
        PropertyManagement = "property_management", "物业管理", "Property management";
        Information = "information", "信息技术", "Information technology";
        Finance = "finance", "金融", "Finance";
        Transport = "transport", "交通运输", "Transport";
        PublicAdministration = "public_administration", "公共管理", "Public administration";
        Health = "health", "卫生", "Health";
        Education = "education", "教育", "Education";
        Culture = "culture", "文化传媒", "Culture and media";
        Utilities = "utilities", "水气热供应", "Water, gas and heat";
    }
}

code_enum! {
    /// Institution kind that makes a customer important or a key account (D5, D6).
    Institution, "institution" {
        None = "none", "无", "None";
        Government = "government", "党政机关", "Government body";
        Hospital = "hospital", "医院", "Hospital";
        School = "school", "学校", "School";
        Bank = "bank", "银行", "Bank";
        Transport = "transport", "交通枢纽", "Transport hub";
        Media = "media", "广播电视", "Media";
        Military = "military", "军队", "Military";
        Hotel = "hotel", "星级宾馆", "Hotel";
        StateKeyProject = "state_key_project", "国家重点工程", "State key project";
    }
}

code_enum! {
    /// Channel a customer prefers to be reached on.
    ContactChannel, "preferred_channel" {
        Phone = "phone", "电话", "Phone";
        Sms = "sms", "短信", "SMS";
        Wechat = "wechat", "微信/掌上电力", "WeChat/app";
        Email = "email", "电子邮件", "E-mail";
        Letter = "letter", "书面", "Letter";
    }
}

/// How the customer is connected: low-voltage customers through a transformer area, high-voltage
/// customers straight from a feeder, optionally with a second (backup) feeder (dual supply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Connection {
    Area { area: Code },
    Feeder { feeder: Code, backup: Option<Code> },
}

/// 供电电源特征.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplySource {
    pub self_provided_source: bool,
    pub dedicated_line: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub name: String,
    /// Role of the contact for the customer, e.g. 户主, 电气负责人, 财务.
    pub role: String,
    pub phones: Vec<PhoneNumber>,
    pub email: Option<Email>,
    pub preferred_channel: ContactChannel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Customer {
    pub customer_no: CustomerNo,
    pub name: String,
    /// Exact supply address (personal information, D12).
    pub address: String,
    /// Identity card number of a natural person (personal information, D12).
    pub id_number: Option<IdNumber>,
    /// Organisation unit that serves the customer (supply station or branch).
    pub org_unit: Code,
    pub connection: Connection,
    pub supply_relation: SupplyRelation,
    pub tariff: TariffCategory,
    pub voltage_kv: VoltageKv,
    pub capacity_kva: CapacityKva,
    pub supply: SupplySource,
    pub usage_nature: UsageNature,
    pub load_importance: LoadImportance,
    pub important_grade: ImportantGrade,
    pub area_type: AreaType,
    pub industry: Industry,
    pub institution: Institution,
    /// Login of the assigned customer manager (客户经理), if any.
    pub customer_manager: Option<Code>,
    #[schema(value_type = String, format = Date)]
    pub opened_on: jiff::civil::Date,
    pub contacts: Vec<Contact>,
    pub meters: Vec<MeteringPoint>,
}

impl Customer {
    pub fn is_high_voltage(&self) -> bool {
        self.voltage_kv.is_high_voltage()
    }

    pub fn is_dual_supply(&self) -> bool {
        matches!(
            self.connection,
            Connection::Feeder {
                backup: Some(_),
                ..
            }
        )
    }

    /// Consistency rules between dimensions that make a record impossible on a real grid.
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return Err(ParseError::new("name", "must be 1-100 characters"));
        }
        if self.address.trim().is_empty() || self.address.chars().count() > 200 {
            return Err(ParseError::new("address", "must be 1-200 characters"));
        }
        match &self.connection {
            Connection::Area { .. } if self.is_high_voltage() => Err(ParseError::new(
                "voltage_kv",
                "a customer behind a transformer area is supplied at low voltage (0.22 or 0.38 kV)",
            )),
            Connection::Feeder { .. } if !self.is_high_voltage() => Err(ParseError::new(
                "voltage_kv",
                "a customer supplied straight from a feeder must be at 10 kV or above",
            )),
            Connection::Feeder {
                feeder,
                backup: Some(b),
            } if feeder == b => Err(ParseError::new(
                "backup_feeder_code",
                "the backup feeder must differ from the main feeder",
            )),
            _ => Ok(()),
        }?;
        if self.meters.is_empty() {
            return Err(ParseError::new(
                "meter_no",
                "a customer has at least one meter",
            ));
        }
        Ok(())
    }

    /// Primary phone of the first contact, used for search and notification.
    pub fn primary_phone(&self) -> Option<&PhoneNumber> {
        self.contacts.first().and_then(|c| c.phones.first())
    }
}
