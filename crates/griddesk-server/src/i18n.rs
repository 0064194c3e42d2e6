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
    ValueSegment => "客户价值细分", "Value segmentation";
    SegmentRun => "立即细分", "Segment now";
    CurrentValue => "当前价值", "Current value";
    PotentialValue => "潜在价值", "Potential value";
    NotSegmented => "尚未进行价值细分", "Not segmented yet";
    ServiceTier => "服务等级", "Service tier";
    SegmentPeriod => "细分期间", "Period";
    ValueQuadrant => "价值矩阵", "Value matrix";
    AbcClassTitle => "ABC分类", "ABC class";
    GradeTitle => "三维分级", "Three-dimension grade";
    GradeScore => "三维得分", "Grade score";
    Entitlements => "服务权益", "Entitlements";
    GradedIn => "分级评定期间", "Grade evaluated in";
    Movement => "等级迁移", "Movement between periods";
    MovementFrom => "起始期间", "From";
    MovementTo => "对比期间", "To";
    GradingKind => "分级方式", "Grading";
    MovementShow => "查看迁移", "Show movement";
    MovementNew => "新增", "New";
    MovementGone => "退出", "Gone";
    MovementStayed => "保持", "Stayed";
    MovementRose => "上升", "Rose";
    MovementFell => "下降", "Fell";
    MovementSamePeriod => "起始期间与对比期间相同，仅显示该期分布。", "Both periods are the same: only its distribution is shown.";
    SegmentMembers => "客户明细", "Customers";
    SegmentMembersNote => "按当前价值从高到低，最多显示前 200 户。", "Highest current value first, at most 200 customers.";
    CurrentPotential => "当前价值 / 潜在价值", "Current / potential value";
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
    NavAudit => "审计日志", "Audit trail";
    NavTokens => "接口令牌", "API tokens";
    Logout => "退出", "Log out";
    Forbidden => "无权访问", "Access denied";
    CsrfDetail => "表单已过期或来源不明，请刷新页面后重试。", "The form has expired or did not come from this site; reload the page and try again.";
    LoginRequired => "请先登录。", "Please log in first.";
    LoginTitle => "员工登录", "Staff login";
    LoginLead => "使用工号和密码登录客户服务平台。", "Log in with your staff login and password.";
    LoginName => "工号", "Login";
    Password => "密码", "Password";
    LoginButton => "登录", "Log in";
    LoginFailed => "工号或密码错误。", "Wrong login or password.";
    AccountLocked => "连续登录失败次数过多，账号已临时锁定，请稍后再试。", "Too many failed attempts: the account is locked for a while. Try again later.";
    PortalLink => "客户自助服务", "Customer self-service";
    UnmaskTitle => "显示完整个人信息", "Show full personal information";
    UnmaskReason => "查看原因", "Reason";
    UnmaskReasonHint => "例如：客户来电核实联系电话", "e.g. customer called to confirm the phone number";
    UnmaskButton => "显示", "Show";
    UnmaskNote => "查看完整个人信息将记入审计日志（查看人、时间、原因、来源地址）。", "Showing personal information in full is recorded in the audit trail (who, when, why, from where).";
    ShownUnmasked => "个人信息已完整显示，本次查看已记入审计日志。", "Personal information is shown in full; this read has been recorded in the audit trail.";
    ShownAsManager => "您是该客户的客户经理，个人信息完整显示，查看已记入审计日志。", "You are this customer's manager: personal information is shown in full and the read is recorded in the audit trail.";
    AuditTitle => "审计日志", "Audit trail";
    AuditLead => "所有写操作与完整个人信息查看记录，只可追加，不可修改或删除。", "Every write and every unmasked read; append-only, never changed or deleted.";
    AuditActor => "操作人", "Actor";
    AuditAction => "操作", "Action";
    AuditTargetKind => "对象类型", "Record kind";
    AuditTarget => "对象", "Record";
    AuditFrom => "开始日期", "From";
    AuditTo => "结束日期", "To";
    AuditTime => "时间", "Time";
    AuditReason => "原因", "Reason";
    AuditSource => "来源", "From address";
    AuditChange => "变更/内容", "Change / content";
    AuditExport => "导出 CSV", "Export CSV";
    AuditOlder => "更早记录", "Older records";
    Filter => "筛选", "Filter";
    TokensTitle => "接口令牌", "API tokens";
    TokensLead => "供短信网关、IVR、微信等外部系统调用接口；令牌只在创建时显示一次。", "For integrations (SMS gateway, IVR, WeChat); a token is shown once, when it is created.";
    TokenName => "名称", "Name";
    TokenRole => "角色", "Role";
    TokenUnit => "所属单位", "Unit";
    TokenExpiresDays => "有效天数", "Valid for (days)";
    TokenCreate => "创建令牌", "Create token";
    TokenCreated => "令牌已创建。请立即复制保存，关闭页面后将无法再次查看：", "Token created. Copy it now; it will not be shown again:";
    TokenRevoke => "吊销", "Revoke";
    TokenRevoked => "已吊销", "Revoked";
    TokenExpired => "已过期", "Expired";
    TokenLive => "有效", "Active";
    TokenStatus => "状态", "Status";
    TokenCreatedAt => "创建时间", "Created";
    TokenExpiresAt => "到期时间", "Expires";
    PortalTitle => "客户自助服务", "Customer self-service";
    PortalLead => "输入户号，验证码将发送到您登记的手机。", "Enter your customer number; a code is sent to your registered mobile phone.";
    PortalSendCode => "获取验证码", "Send code";
    PortalCode => "验证码", "Code";
    PortalCodeSent => "如该户号已登记手机，验证码已发送，5分钟内有效。", "If the customer number has a registered mobile phone, a code has been sent; it is valid for 5 minutes.";
    PortalAccount => "我的账户", "My account";
    NavOrders => "工单", "Work orders";
    OrdersTitle => "工单队列", "Work-order queue";
    OrdersLead => "绿色通道优先，其次按最早到期时限排序；绿色正常、黄色已用时限80%以上、红色超期。", "Green channel first, then by the earliest deadline; green on time, yellow 80 % of the time used, red overdue.";
    OrderNo => "工单号", "Order";
    OrderSla => "时限", "SLA";
    OrderTier => "优先级", "Tier";
    OrderType => "类型", "Type";
    OrderSubject => "事由", "Subject";
    OrderStatus => "状态", "Status";
    OrderDue => "最近到期", "Next due";
    OrderUnit => "处理单位", "Handling unit";
    OrderPaused => "已暂停计时", "clock paused";
    OrderContact => "联系人", "Contact";
    OrderOwner => "首问责任人", "First-contact owner";
    OrderAccepted => "受理时间", "Accepted";
    OrderDeadlines => "服务时限", "Deadlines";
    OrderHistory => "处理过程", "History";
    GreenChannel => "绿色通道", "Green channel";
    PortalRecentBills => "近期账单", "Recent bills";
    NavWorkbench => "来电工作台", "Workbench";
    NavDispatch => "派单看板", "Dispatch";
    NavCrew => "抢修任务", "Crew jobs";
    NavComplaints => "投诉台账", "Complaints";
    WorkbenchTitle => "来电工作台", "Agent workbench";
    WorkbenchLead => "输入来电号码或户号，查看客户概况、在途工单和已知停电，一次受理并派单（首问负责）。", "Enter the caller's number or customer number to see the customer, open orders and known outages, then take the request (first-contact ownership).";
    CallLookupHint => "来电号码或户号", "Caller's phone or customer no.";
    CallerUnknown => "未找到该号码的客户档案，可作为无户号来电受理。", "No customer has this number; take the call without a customer number.";
    CallerSeveral => "该号码对应多个客户，请选择：", "Several customers have this number; choose one:";
    OpenOrders => "在途工单", "Open orders";
    KnownOutages => "已知停电", "Known outages";
    NoKnownOutage => "当前没有影响该客户的已知停电。", "No known outage affects this customer now.";
    OutageOutNow => "正在停电", "Power off now";
    OutageAnnounced => "将停电", "Announced";
    OutageKnownSince => "获知于", "Known since";
    OutageBackBy => "预计恢复", "Back by";
    OutageBackUnknown => "抢修评估中", "being assessed";
    OutageCause => "原因", "Cause";
    NavOutages => "停电管理", "Outages";
    PublicNoticeTitle => "停电公告", "Outage notices";
    PublicNoticeLead => "正在停电和计划停电的范围、时间与原因。计划检修停电提前7天公告。", "Where, when and why power is off now or will be. Planned maintenance is announced 7 days ahead.";
    NoKnownOutageAnywhere => "目前没有停电公告。", "No outage notices at present.";
    OutageBoard => "停电看板", "Outage board";
    NavOutagePlans => "停电计划", "Outage plans";
    PlanTitle => "周计划与月计划停电", "Weekly and monthly outage plans";
    PlanLead => "导入周计划和月计划，查看同一区域是否在短期内重复停电，把相关工作合并为一次停电发布。", "Import weekly and monthly plans, see where the same area would be cut again soon, and issue related jobs as one outage.";
    PlanWindow => "重复停电提醒窗口", "Repeat window";
    PlanDays => "天", "days";
    PlanUpload => "导入计划文件（CSV 或 xlsx）", "Import a plan file (CSV or xlsx)";
    PlanUploadHint => "列格式见 docs/import.md 的 outage-plans；同一工作编号再次导入会更新草稿。", "Layout: outage-plans in docs/import.md; importing a job id again updates its draft.";
    PlanJob => "工作编号", "Job";
    PlanKindCol => "计划类型", "Plan";
    PlanWork => "工作内容", "Work content";
    PlanUnit => "作业单位", "Responsible unit";
    PlanReason => "停电原因", "Reason";
    PlanStart => "计划停电", "Planned off";
    PlanEnd => "计划送电", "Planned on";
    PlanTitleCol => "工作名称", "Title";
    AdviceOverlap => "同时停电", "Same time";
    AdviceRepeat => "重复停电", "Repeated outage";
    AdviceOverlapDo => "应合并为一次停电", "should be one outage";
    AdviceRepeatDo => "建议合并为一次停电", "consider combining into one outage";
    AdviceApart => "相隔", "apart";
    AdviceCustomer => "客户检修", "Customer maintenance";
    MaintenanceTitle => "客户检修计划", "Customers' maintenance";
    MaintenanceHint => "客户自有设备的检修时间：停电计划将建议与之同时停电，避免重复停电。", "When customers maintain their own plant: the plan advises fitting grid work into those hours, so they are cut once.";
    MaintenanceRecord => "登记客户检修", "Record maintenance";
    AdviceCustomerDo => "建议与客户检修同时停电", "fit the job into the customer's maintenance";
    AdviceWithin => "窗口", "window";
    AdviceJob => "工作", "job";
    PlanIssue => "选中的工作合并发布为一次停电", "Issue the selected jobs as one outage";
    PlanIssueTitle => "停电名称（可选）", "Outage title (optional)";
    PlanEdit => "修改计划", "Edit the job";
    PlanSave => "保存", "Save";
    PlanCancel => "取消该工作", "Cancel the job";
    PlanIssuedAs => "已发布为停电", "Issued as outage";
    PlanWeekly => "周计划", "Weekly plan";
    PlanMonthly => "月计划", "Monthly plan";
    OutageLead => "计划、有序用电、故障和欠费停电：影响客户数、通知时限和恢复进度。", "Planned, orderly-use, fault and arrears outages: customers reached, notice lead times, restoration.";
    OutageClosed => "近期已恢复或取消", "Recently restored or cancelled";
    OutageRecord => "登记停电", "Record an outage";
    OutageKind => "停电类型", "Kind";
    OutageScope => "停电范围", "Scope";
    OutageCodes => "设备编码或户号（逗号分隔）", "Device codes or customer numbers (comma-separated)";
    OutageAffected => "影响客户", "Customers reached";
    OutageStart => "停电时间", "Off from";
    OutageNotices => "通知发送情况", "Notification status";
    ReliabilityTitle => "近12个月供电可靠性", "Supply reliability, last 12 months";
    ReliabilityByAreaType => "按地区类型", "By area type";
    ReliabilityByUnit => "按供电单位", "By unit";
    ReliabilitySaidi => "户均停电时间(小时)", "SAIDI (hours)";
    ReliabilityAsai => "供电可靠率", "ASAI";
    OutageNoNotices => "尚未发送通知", "No notices queued yet";
    OutageFailedNotices => "发送失败", "Failed deliveries";
    OutageTasks => "重要客户专人告知与回访", "Personal notices and callbacks";
    TaskDue => "应完成", "Due";
    TaskDoneAt => "完成时间", "Done at";
    TaskAcknowledged => "客户确认人", "Acknowledged by";
    TaskRecord => "记录完成", "Record as done";
    OrderlyTitle => "有序用电", "Orderly power use";
    OrderlyLead => "按限电序位表压减负荷：先错峰、后避峰、再限电、最后拉路；重要客户最后压减，保留保安负荷。", "Reduce load along the load-limiting sequence: shift peak first, then avoid peak, then limit load, last disconnect lines; important customers last, their security load kept.";
    OrderlyTarget => "压减目标(MW)", "Reduction target (MW)";
    OrderlyFrom => "开始时间", "From";
    OrderlyTo => "结束时间", "To";
    OrderlyCompute => "生成方案", "Make the plan";
    OrderlyPlan => "有序用电方案", "Orderly power use plan";
    OrderlyIssue => "下达方案并登记有序用电停电", "Issue the plan as an orderly-use outage";
    OrderlyNothing => "方案没有可压减的客户，未登记停电。", "The plan reduces nobody; no outage was recorded.";
    OrderlySequence => "限电序位表", "Load-limiting sequence";
    OrderlySequenceEmpty => "尚未导入限电序位表，可用 griddesk import --kind orderly-sequence 导入。", "No load-limiting sequence yet: import one with griddesk import --kind orderly-sequence.";
    OrderlyPosition => "序位", "Position";
    OrderlyCustomers => "客户数", "Customers";
    OrderlyExpectedLoad => "预计负荷(kW)", "Expected load (kW)";
    OrderlySecurityLoad => "保安负荷(kW)", "Security load (kW)";
    OrderlyOfferShift => "可错峰(kW)", "Shift offer (kW)";
    OrderlyOfferAvoid => "可避峰(kW)", "Avoid offer (kW)";
    OrderlyOfferLimit => "可限电(kW)", "Limit offer (kW)";
    OrderlyDisconnectable => "可拉路", "Disconnectable";
    OrderlyTotal => "预计压减合计", "Expected reduction";
    OrderlyShortfall => "缺口", "Shortfall";
    OrderlyMet => "满足目标", "Target met";
    OrderlyCurveDays => "负荷曲线日期", "Load curves of";
    OrderlyNoCurves => "无近期负荷曲线", "no recent load curves";
    OrderlySubtotals => "各措施压减量", "Reduction per measure";
    OrderlySteps => "压减步骤", "Steps";
    OrderlyMeasure => "措施", "Measure";
    OrderlyReduction => "压减(kW)", "Reduction (kW)";
    OrderlyRemaining => "剩余负荷(kW)", "Remaining (kW)";
    OrderlyPartial => "部分", "partial";
    OrderlyCorrelation => "错峰能力(相关系数)", "Peak-shifting ability (r)";
    OutageTree => "停电影响拓扑", "Outages on the grid";
    OutageTreeLead => "变电站 → 线路 → 台区：正在停电或已通知停电的影响客户数（红色为正在停电）。点击 ▸ 展开下一级，点击名称筛选停电。", "Substation → feeder → transformer area: customers reached by outages out now or announced (red: out now). ▸ expands a level, a name filters the board.";
    OutageTreeNone => "目前没有停电影响客户。", "No outage reaches any customer at present.";
    TreeExpand => "展开", "Expand";
    TreeDirect => "线路直供客户", "Customers supplied straight from the feeder";
    TreeOutages => "起停电", "outages";
    BoardFilteredBy => "只显示影响以下设备下客户的停电：", "Only outages reaching customers under";
    BoardFilterClear => "显示全部", "show all";
    ScopeAreas => "台区", "Transformer areas";
    ScopeFeeders => "线路", "Feeders";
    ScopeSubstation => "变电站", "Substation";
    ScopeCustomers => "指定客户", "Customers";
    RecentContacts => "接触记录", "Contact timeline";
    NewOrder => "新建工单", "New work order";
    AcceptOrder => "受理", "Accept";
    ContactPhone => "联系电话", "Contact phone";
    DispatchTo => "立即派往", "Dispatch to";
    OrderChannel => "受理渠道", "Channel";
    NotYet => "暂不", "Not yet";
    Presence => "坐席状态", "Presence";
    CallbacksDue => "待回拨", "Callbacks due";
    CallbackDone => "已回拨", "Called back";
    QueueAll => "全部在途", "All open";
    QueueMine => "我的工单", "My orders";
    QueueCallbacks => "待回访", "To call back";
    TimeLeft => "剩余", "left";
    Overdue => "超期", "overdue";
    Met => "已完成", "Met";
    NextSteps => "办理", "Next steps";
    Note => "说明", "Note";
    Reason => "原因", "Reason";
    Satisfaction => "满意度", "Satisfaction";
    PauseReason => "暂停原因", "Pause reason";
    Outage => "停电事件", "Outage";
    ActDispatch => "派单", "Dispatch";
    ActAcknowledge => "接单", "Acknowledge";
    ActArrive => "到达现场", "On site";
    ActHandle => "处理完成", "Handled";
    ActReply => "回复客户", "Reply";
    ActCallback => "回访", "Call back";
    ActArchive => "归档", "Archive";
    ActTransfer => "转派", "Transfer";
    ActEscalate => "督办", "Escalate";
    ActMerge => "并入停电事件", "Merge into outage";
    ActReturn => "退单", "Return";
    ActCancel => "撤销", "Cancel";
    ActReopen => "重新处理", "Reopen";
    ActPause => "暂停计时", "Pause clock";
    ActResume => "恢复计时", "Resume clock";
    Conflict => "工单已被他人更新", "The order has changed";
    ConflictDetail => "您看到的不是最新状态，请返回刷新后再操作。", "What you saw is out of date; go back, reload and try again.";
    NotAllowedNow => "当前不能办理", "Not allowed now";
    ComplaintRecord => "投诉处理记录", "Complaint record";
    ComplaintReplyRule => "回复投诉客户前须填写投诉原因并完成“倾听、询问、道歉、解决、答谢”五步记录；归档前须完成责任认定。", "Before the complainant is answered, record the cause and all five steps (listen, ask, apologise, solve, thank); before archiving, find the responsibility.";
    ComplaintCause => "投诉原因", "Cause";
    FiveSteps => "五步处理法", "The five steps";
    StepNoteHint => "记录本步骤的要点", "What was said or done";
    Record => "记录", "Record";
    Save => "保存", "Save";
    NavKnowledge => "知识库", "Knowledge";
    KbTitle => "知识库", "Knowledge base";
    KbLead => "办事指南、资料清单、电价政策和标准答复：受理时一次性告知客户所需的全部资料和步骤。", "Application guides, document checklists, tariffs and standard answers: tell the customer everything needed in one go.";
    KbSearchHint => "输入关键词，如：新装 资料", "Words to look for, e.g. 新装 资料";
    KbKind => "类别", "Kind";
    All => "全部", "All";
    KbNew => "新建文章", "New article";
    KbEdit => "修改文章", "Edit article";
    KbArticleTitle => "标题", "Title";
    KbUpdated => "更新", "Updated";
    KbTags => "标签（逗号分隔）", "Tags (comma-separated)";
    KbForTypes => "适用工单类型", "For order types";
    KbBody => "正文", "Text";
    KbSuggestions => "知识库推荐", "Knowledge-base suggestions";
    KbNoSuggestions => "没有匹配的文章", "No matching articles";
    KbTypeToSuggest => "填写主题或诉求后自动推荐相关文章", "Suggestions appear as you type the subject or request";
    KbAttach => "随答复一次性告知（勾选附上）", "Attach to the reply as the one-time notice";
    KbSearchMore => "查找其他文章", "Find other articles";
    KbNotice => "一次性告知内容", "One-time complete notice";
    Responsibility => "责任认定", "Responsibility";
    ResponsibleUnit => "责任单位", "Responsible unit";
    Photos => "现场照片", "Photos";
    AddPhoto => "拍照上传", "Add photo";
    PhotoNoteHint => "照片说明", "What it shows";
    DispatchTitle => "派单看板", "Dispatcher board";
    DispatchLead => "待派工单按优先级和时限排列；各处理单位的在途工单分列显示。", "Orders waiting for dispatch by tier and deadline; each handling unit's open orders in its column.";
    Undispatched => "待派单", "Not dispatched";
    CrewTitle => "抢修任务", "Crew jobs";
    CrewLead => "本班组的在途工单：接单、到达现场、处理完成，并可拍照上传。", "Your unit's open orders: acknowledge, arrive, resolve, and add photos.";
    ComplaintsTitle => "投诉台账", "Complaint ledger";
    ComplaintsLead => "按期间统计投诉：原因排列图（帕累托）、按单位、按月份和重复投诉客户，可导出 Excel。", "Complaints of a period: Pareto of causes, by unit, by month and repeat complainants; exportable to Excel.";
    ComplaintsTotal => "投诉总数", "Complaints";
    ComplaintsResponsible => "供电企业有责", "Company responsible";
    RepeatComplainants => "重复投诉客户", "Repeat complainants";
    ParetoTitle => "投诉原因排列图", "Pareto of causes";
    ByMonth => "按月份", "By month";
    ByUnit => "按单位", "By unit";
    Count => "件数", "Count";
    Cumulative => "累计占比", "Cumulative";
    ComplaintLedger => "投诉明细", "Ledger";
    ExportExcel => "导出 Excel", "Export to Excel";
    PortalRequests => "我的诉求", "My requests";
    Request => "客户诉求", "The request";
    PortalNewRequest => "在线报修、投诉与建议", "Report a fault, complain or suggest";
    Submit => "提交", "Submit";
    TodaysVisits => "今日预约", "Today's appointments";
}

/// "请 60 秒后再试" / "try again in 60 seconds".
pub fn retry_after(lang: Lang, seconds: u64) -> String {
    match lang {
        Lang::Zh => format!("尝试次数过多，请 {seconds} 秒后再试。"),
        Lang::En => format!("Too many attempts; try again in {seconds} seconds."),
    }
}

/// "剩余 1:05:09" / "超期 0:12:00" for a countdown of `secs` seconds (negative: overdue).
pub fn countdown(lang: Lang, secs: i64) -> String {
    let a = secs.unsigned_abs();
    let hms = format!("{}:{:02}:{:02}", a / 3600, a / 60 % 60, a % 60);
    let word = if secs < 0 { T::Overdue } else { T::TimeLeft };
    match lang {
        Lang::Zh => format!("{}{hms}", word.get(lang)),
        Lang::En => format!("{hms} {}", word.get(lang)),
    }
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
