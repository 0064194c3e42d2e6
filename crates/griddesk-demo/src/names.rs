//! Word lists for realistic Chinese names, places, companies and addresses of the fictional city
//! of 江州 (Jiangzhou) and its counties.

use crate::rng::RngExt;
use rand::Rng;

pub(crate) const CITY: &str = "江州";
pub(crate) const COMPANY_NAME: &str = "GridDesk示范供电公司";

/// City districts (served by urban branches), then counties.
pub(crate) const DISTRICTS: [&str; 6] = ["东湖", "西城", "南山", "北塘", "高新", "临港"];
pub(crate) const COUNTIES: [&str; 10] = [
    "青河", "松林", "白石", "临江", "云岭", "安平", "桃源", "石门", "龙泉", "清水",
];

/// Common surnames, most frequent first (draws are skewed towards the front).
const SURNAMES: [&str; 100] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
    "莫", "孔", "向", "汤",
];

const GIVEN: [&str; 120] = [
    "伟", "芳", "娜", "秀", "英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "兰", "霞", "平", "刚", "桂", "华", "建", "国", "文", "辉", "力", "玲", "红",
    "斌", "宇", "浩", "凯", "鹏", "飞", "鑫", "波", "帅", "晨", "欣", "怡", "婷", "雪", "琳", "佳",
    "颖", "梅", "琴", "云", "莉", "倩", "慧", "丹", "萍", "志", "海", "峰", "宏", "林", "春", "燕",
    "荣", "新", "亮", "俊", "龙", "成", "庆", "德", "永", "金", "玉", "凤", "秋", "月", "晓", "嘉",
    "子", "思", "雨", "梓", "涵", "轩", "博", "诗", "若", "泽", "然", "睿", "昊", "天", "瑞", "彤",
    "乐", "安", "航", "铭", "雅", "琪", "晶", "婉", "洁", "宁", "东", "伦", "光", "武", "生", "发",
    "福", "贵", "全", "保", "忠", "义", "孝", "良",
];

/// Brand-like and geographic words used in company names.
const PLACES: [&str; 40] = [
    "江州", "东湖", "临江", "青河", "松林", "白石", "云岭", "安平", "桃源", "石门", "龙泉", "清水",
    "华中", "长兴", "新港", "金山", "银河", "宏远", "恒通", "鑫源", "永固", "天成", "瑞丰", "盛达",
    "通达", "华远", "兴旺", "正大", "中联", "湘江", "楚天", "富民", "德盛", "佳禾", "汇丰", "远航",
    "振华", "博达", "鼎盛", "康泰",
];

pub(crate) const ROADS: [&str; 32] = [
    "人民", "解放", "中山", "建设", "胜利", "和平", "新华", "朝阳", "长江", "黄河", "文化", "学府",
    "滨江", "东风", "光明", "青年", "五一", "湘江", "韶山", "芙蓉", "劳动", "迎宾", "桂花", "枫林",
    "银杏", "车站", "工业", "振兴", "望城", "花园", "体育", "环城",
];

const COMMUNITY_WORDS: [&str; 24] = [
    "幸福", "阳光", "翠苑", "锦绣", "金色", "华府", "书香", "都市", "紫荆", "明珠", "碧水", "春天",
    "盛世", "星城", "丽景", "怡园", "康居", "绿洲", "和谐", "嘉园", "江景", "御景", "半岛", "枫丹",
];
const COMMUNITY_SUFFIX: [&str; 6] = ["小区", "花园", "家园", "新村", "苑", "公寓"];

pub(crate) const TOWNS: [&str; 24] = [
    "城关", "新塘", "白马", "石桥", "高桥", "黄花", "双江", "三星", "大塘", "永安", "长乐", "太平",
    "金井", "柏加", "龙头", "青山", "古塘", "沙坪", "花桥", "洪山", "坪上", "梅溪", "杉木", "源头",
];

pub(crate) const VILLAGES: [&str; 40] = [
    "上屋", "下湾", "李家", "王家", "张家", "大坪", "竹山", "松柏", "枫树", "杨柳", "金鸡", "凤凰",
    "石塘", "新田", "桐木", "荷花", "红星", "胜利", "和平", "光明", "团结", "长岭", "塘边", "坳上",
    "白沙", "黄土", "青石", "双峰", "五里", "三合", "桥头", "田心", "楠木", "茶园", "杏林", "柿子",
    "回龙", "观音", "马鞍", "水口",
];

pub(crate) const FEEDER_WORDS: [&str; 24] = [
    "东风", "红旗", "新华", "光明", "胜利", "友谊", "和平", "建设", "工业", "开发", "城南", "城北",
    "滨江", "湖光", "金桥", "银湖", "长兴", "兴业", "振兴", "创新", "环城", "园区", "民生", "富强",
];

pub(crate) const MOBILE_PREFIXES: [&str; 36] = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "198", "199",
];

/// Landline area code of the city (0 + 3 digits, then 8 digits).
pub(crate) const AREA_CODE: &str = "0736";

const BANKS: [&str; 6] = [
    "中国工商银行",
    "中国农业银行",
    "中国建设银行",
    "中国银行",
    "交通银行",
    "江州农村商业银行",
];

/// Skewed index: the front of a frequency-ordered list comes up more often.
fn skewed<R: Rng + ?Sized>(rng: &mut R, len: usize) -> usize {
    let u: f64 = rng.random();
    ((u * u) * len as f64) as usize % len
}

pub(crate) fn person<R: Rng + ?Sized>(rng: &mut R, out: &mut String) {
    out.push_str(SURNAMES[skewed(rng, SURNAMES.len())]);
    out.push_str(rng.pick(&GIVEN));
    if rng.chance(0.7) {
        out.push_str(rng.pick(&GIVEN));
    }
}

pub(crate) fn person_name<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut s = String::with_capacity(9);
    person(rng, &mut s);
    s
}

pub(crate) fn place<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    rng.pick(&PLACES)
}

/// Community (小区) name parts from two stored indices.
pub(crate) fn community_parts(word: u8, suffix: u8) -> (&'static str, &'static str) {
    (
        COMMUNITY_WORDS[word as usize % COMMUNITY_WORDS.len()],
        COMMUNITY_SUFFIX[suffix as usize % COMMUNITY_SUFFIX.len()],
    )
}

pub(crate) fn bank<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    rng.pick(&BANKS)
}

/// Words that name a company's line of business, by industry code.
pub(crate) fn trade_words(
    industry: griddesk_domain::customer::Industry,
) -> &'static [&'static str] {
    use griddesk_domain::customer::Industry as I;
    match industry {
        I::Manufacturing => &[
            "机械制造",
            "电子科技",
            "精密仪器",
            "纺织",
            "食品",
            "家具",
            "汽车配件",
            "包装材料",
            "塑料制品",
            "服装",
            "电器",
            "新材料",
        ],
        I::Chemical => &["化工", "精细化工", "化肥", "涂料", "制药"],
        I::Metallurgy => &["钢铁", "铝业", "铸造", "金属材料", "特钢"],
        I::Mining => &["矿业", "石材", "水泥", "砂石"],
        I::Construction => &["建设工程", "建筑", "路桥", "市政工程"],
        I::Retail => &["商贸", "百货", "超市", "贸易", "医药连锁"],
        I::Hospitality => &["餐饮管理", "酒店管理", "宾馆", "饮食"],
        I::PropertyManagement => &["物业管理", "物业服务"],
        I::Information => &["信息技术", "网络科技", "数据服务", "软件"],
        I::Finance => &["投资", "保险代理"],
        I::Transport => &["物流", "公共交通", "客运", "仓储"],
        I::Utilities => &["自来水", "燃气", "污水处理", "热力"],
        I::Culture => &["文化传媒", "广告", "影视"],
        I::Agriculture => &["农业发展", "养殖", "种植专业合作社", "生态农业"],
        I::Health => &["医疗器械", "健康管理"],
        I::Education => &["教育咨询", "培训"],
        I::PublicAdministration => &["城市建设投资", "城市管理"],
        I::Household => &["家庭农场"],
    }
}
