//! The console's one translation table: every user-visible string of the console in Simplified
//! Chinese (default) and English. Classification values are translated by the domain enums'
//! `.label(lang)`; nothing else in the console spells out a sentence.

use griddesk_domain::values::Lang;

macro_rules! texts {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A console text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $($key,)* }

        impl T {
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((T::$key, Lang::Zh) => $zh, (T::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

texts! {
    AppName => "客户服务平台", "Customer Service Platform";
    NavSearch => "客户查询", "Customer search";
    NavApi => "接口文档", "API";
    LangSwitch => "English", "中文";
    LangSwitchTitle => "Switch to English", "切换到中文";
    SearchTitle => "客户查询", "Customer search";
    SearchLead => "按户号、户名、电话或地址片段查询客户档案，可按分类维度筛选。", "Find customers by customer number, name, phone or address fragment, and filter by classification.";
    SearchPlaceholder => "户号、户名、电话或地址", "Customer no., name, phone or address";
    SearchButton => "查询", "Search";
    AnyOption => "全部", "Any";
    SearchHint => "输入户号、户名、电话或地址片段（至少两个字），或选择筛选条件。", "Type a customer number, name, phone or an address fragment (at least two characters), or pick a filter.";
    NoResults => "未找到匹配的客户。", "No matching customers.";
    Truncated => "结果较多，仅显示前面部分，请细化查询条件。", "Only the first results are shown; refine the search.";
    ArchiveStats => "档案概况", "Archive at a glance";
    StatCustomers => "客户", "Customers";
    StatHv => "高压客户", "HV customers";
    StatDual => "双电源客户", "Dual-supply customers";
    StatImportant => "重要客户", "Important customers";
    StatSubstations => "变电站", "Substations";
    StatFeeders => "线路", "Feeders";
    StatAreas => "台区", "Transformer areas";
    StatOrgUnits => "组织机构", "Organisation units";
    StatStaff => "员工", "Staff";
    CustomerNo => "户号", "Customer no.";
    Name => "户名", "Name";
    Address => "用电地址", "Supply address";
    Tariff => "电价类别", "Tariff category";
    ImportantGrade => "重要客户等级", "Important-customer grade";
    AreaType => "地区类型", "Area type";
    Voltage => "电压", "Voltage";
    HighVoltage => "高压", "High voltage";
    LowVoltage => "低压", "Low voltage";
    DualSupply => "双电源", "Dual supply";
    SupplyUnit => "供电单位", "Supply unit";
    SupplyPoint => "台区/线路", "Area / feeder";
    Customer360 => "客户全景", "Customer 360";
    Classification => "客户分类", "Classification";
    SupplyRelation => "供用电关系", "Supply relation";
    VoltageLevel => "电压等级", "Voltage level";
    Capacity => "合同容量", "Contracted capacity";
    SupplySource => "供电电源特征", "Supply source";
    SelfSource => "自备电源", "Self-provided source";
    DedicatedLine => "专线", "Dedicated line";
    UsageNature => "用电性质", "Usage nature";
    LoadImportance => "负荷重要性", "Load importance";
    Industry => "行业", "Industry";
    Institution => "机构类别", "Institution";
    OpenedOn => "立户日期", "Account opened";
    IdNumber => "证件号码", "ID number";
    Yes => "是", "Yes";
    No => "否", "No";
    Topology => "供电路径", "Supply path";
    Substation => "变电站", "Substation";
    Feeder => "线路", "Feeder";
    BackupFeeder => "备用线路", "Backup feeder";
    Area => "台区", "Transformer area";
    Meter => "计量点/电能表", "Metering point / meter";
    Multiplier => "倍率", "Multiplier";
    DirectFromFeeder => "高压专变（线路直供）", "HV dedicated transformer (from the feeder)";
    Contacts => "联系人", "Contacts";
    ContactName => "姓名", "Name";
    ContactRole => "身份", "Role";
    Phones => "电话", "Phone";
    Email => "电子邮件", "E-mail";
    PreferredChannel => "首选渠道", "Preferred channel";
    NoContacts => "无联系人", "No contacts";
    MaskNote => "个人信息已按规定脱敏显示", "Personal information is shown masked";
    CustomerManager => "客户经理", "Customer manager";
    NoManager => "未指定客户经理", "No customer manager assigned";
    ChartTitle => "用电量与电费", "Consumption and bills";
    SeriesKwh => "用电量 (kWh)", "Consumption (kWh)";
    SeriesAmount => "电费 (元)", "Bill (yuan)";
    ChartLoading => "图表加载中…", "Loading chart…";
    Payments => "缴费记录", "Payments";
    RecentPaymentsNote => "最近12笔，时间为北京时间", "Latest 12, times in Asia/Shanghai";
    PaidAt => "缴费时间", "Paid at";
    BillPeriod => "电费年月", "Bill month";
    Amount => "金额 (元)", "Amount (yuan)";
    Channel => "缴费渠道", "Channel";
    Status => "状态", "Status";
    Late => "逾期", "Late";
    Bounced => "退票", "Bounced";
    OnTime => "按期", "On time";
    Arrears => "欠费情况", "Arrears";
    TotalBilled => "应收合计 (元)", "Total billed (yuan)";
    TotalPaid => "实收合计 (元)", "Total paid (yuan)";
    ArrearsAmount => "欠费金额 (元)", "Arrears (yuan)";
    OverdueBills => "逾期账单", "Overdue bills";
    OldestUnpaid => "最早欠费月份", "Oldest unpaid month";
    BouncedPayments => "退票次数", "Bounced payments";
    LatePayments => "逾期缴费次数", "Late payments";
    NoArrears => "无欠费", "No arrears";
    HasArrears => "存在欠费", "In arrears";
    Readings => "近期日抄表", "Recent daily readings";
    ReadingDate => "抄表日期", "Date";
    Register => "表码 (kWh)", "Register (kWh)";
    DailyKwh => "日电量 (kWh)", "Daily (kWh)";
    LoadCurve => "负荷曲线（96点）", "Load curves (96 points)";
    LoadSeries => "负荷 (kW)", "Load (kW)";
    TheftCases => "窃电案件", "Theft cases";
    CaseNo => "案件编号", "Case no.";
    FoundOn => "查获日期", "Found on";
    StolenKwh => "窃电量 (kWh)", "Energy (kWh)";
    Charged => "追补及违约使用电费 (元)", "Charged (yuan)";
    Description => "说明", "Description";
    NoTheft => "无窃电记录", "No theft cases";
    WorkOrders => "工单", "Work orders";
    Outages => "停电", "Outages";
    LaterModule => "该功能将随后续模块上线。", "This arrives with a later module.";
    Plate => "户号牌", "Number plate";
    PrintAreaPlates => "本台区户号牌批量打印", "Print this area's plates";
    NoData => "暂无数据", "No data";
    HistoryUnavailable => "历史数据暂不可用", "History is unavailable";
    BackToSearch => "返回查询", "Back to search";
    NotFoundTitle => "页面不存在", "Page not found";
    NotFoundDetail => "您访问的页面不存在。", "The page you asked for does not exist.";
    BadInput => "输入有误", "Invalid input";
    ServerError => "服务器错误", "Server error";
    ServerErrorDetail => "请求未能完成，错误已记录。", "The request could not be completed; the error has been logged.";
    CustomerNotFound => "未找到该客户", "Customer not found";
    AreaNotFound => "未找到该台区", "Transformer area not found";
    PlatesTitle => "户号牌批量打印", "Number plates: batch print";
    PlatesLead => "每页 A4 纸 8 张户号牌。二维码含户号、户名和地址，户名与地址不以明文印刷。", "Eight plates per A4 page. The QR code holds number, name and address; name and address are not printed in clear.";
    Print => "打印", "Print";
    DownloadSvg => "下载 SVG", "Download SVG";
    Footer => "GridDesk 供电客户服务平台 · 服务热线 95598", "GridDesk power supply customer service · hotline 95598";
    TimesNote => "时间均为北京时间 (UTC+8)", "Times in Asia/Shanghai (UTC+8)";
}

/// "共 12 条结果" / "12 results".
pub fn results_count(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("共 {n} 条结果"),
        Lang::En if n == 1 => "1 result".to_owned(),
        Lang::En => format!("{n} results"),
    }
}

/// "近 36 个月" / "last 36 months".
pub fn last_months(lang: Lang, n: u32) -> String {
    match lang {
        Lang::Zh => format!("近 {n} 个月"),
        Lang::En => format!("last {n} months"),
    }
}

/// "共 17 户，3 页" / "17 customers, 3 pages".
pub fn plates_count(lang: Lang, customers: usize, pages: usize) -> String {
    match lang {
        Lang::Zh => format!("共 {customers} 户，{pages} 页"),
        Lang::En => format!("{customers} customers, {pages} pages"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages() {
        assert_eq!(T::NavSearch.get(Lang::Zh), "客户查询");
        assert_eq!(T::NavSearch.get(Lang::En), "Customer search");
        assert_eq!(results_count(Lang::En, 1), "1 result");
        assert_eq!(results_count(Lang::Zh, 3), "共 3 条结果");
    }
}
