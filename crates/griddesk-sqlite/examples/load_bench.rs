// TEMPORARY bench (not committed): load N synthetic customers in batches, report rate.
use griddesk_domain::customer::*;
use griddesk_domain::search::SearchQuery;
use griddesk_store::conformance::fixtures;
use griddesk_store::{CustomerFilter, Store};
use std::time::Instant;

fn mk(base: &Customer, i: u64) -> Customer {
    let mut c = base.clone();
    let h = i.wrapping_mul(0x9E3779B97F4A7C15);
    c.customer_no = fixtures::no(&format!("{:010}", 1_000_000_000 + i));
    let fam = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"][(h % 10) as usize];
    let given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"];
    c.name = format!("{}{}{}", fam, given[((h >> 8) % 15) as usize], given[((h >> 16) % 15) as usize]);
    let roads = ["建设路", "人民路", "解放大道", "中山路", "幸福小区", "柳树村", "河湾村", "青年路", "和平街", "光明路"];
    c.address = format!("江州市{}区{}{}号{}栋{}室", ["东城", "西城", "南湖", "北山"][((h >> 24) % 4) as usize], roads[((h >> 28) % 10) as usize], (h >> 32) % 300, (h >> 40) % 30, (h >> 44) % 2000);
    let a = ["TA-DF-01", "TA-JS-01", "TA-QS-01", "TA-BS-01", "TA-QS-02", "TA-BS-02"][(h >> 50) as usize % 6];
    c.connection = Connection::Area { area: fixtures::code(a) };
    c.tariff = TariffCategory::ALL[(h >> 53) as usize % 3];
    c.contacts = vec![fixtures::contact("户主", "户主", &[&format!("13{:09}", (h >> 20) % 1_000_000_000)], ContactChannel::Sms)];
    c.meters[0].code = fixtures::code(&format!("MP{}", 1_000_000_000 + i));
    c
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let batch: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5_000);
    let backend = args.get(3).cloned().unwrap_or("sqlite".into());
    let store: Box<dyn Store> = if backend == "sqlite" {
        let path = std::path::PathBuf::from(args.get(4).cloned().unwrap_or("/tmp/gd_bench.db".into()));
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(path.with_extension("db-wal"));
        Box::new(griddesk_sqlite::SqliteStore::open(&path).await.unwrap())
    } else {
        let _ = backend;
        panic!("sqlite only here")
    };
    fixtures::load(&*store).await;
    let base = fixtures::customer("0100000001");
    let mut gen_time = std::time::Duration::ZERO;
    let t0 = Instant::now();
    let mut last = Instant::now();
    let mut i = 0;
    while i < n {
        let tg = Instant::now();
        let b: Vec<Customer> = (i..(i + batch).min(n)).map(|i| mk(&base, i)).collect();
        gen_time += tg.elapsed();
        store.upsert_customers(&b).await.unwrap();
        i += batch;
        if i % 500_000 == 0 {
            eprintln!("{i} customers, {:.0}/s last, {:.0}/s overall", 500_000.0 / last.elapsed().as_secs_f64(), i as f64 / t0.elapsed().as_secs_f64());
            last = Instant::now();
        }
    }
    eprintln!("loaded {n} in {:.1}s (generation {:.1}s)", t0.elapsed().as_secs_f64(), gen_time.as_secs_f64());
    for q in ["张伟", "人民路", "建设路12号", "13123456789", "1000012345", "李娜 和平街"] {
        let sq = SearchQuery::parse(q).unwrap();
        let t = Instant::now();
        let r = store.search_customers(Some(&sq), &CustomerFilter::default(), 50).await.unwrap();
        eprintln!("{q}: {} rows in {:?}", r.len(), t.elapsed());
        let t = Instant::now();
        let f = CustomerFilter { tariff: Some(TariffCategory::Commercial), area: Some("TA-BS-02".into()), ..Default::default() };
        let r = store.search_customers(Some(&sq), &f, 50).await.unwrap();
        eprintln!("{q} + filter: {} rows in {:?}", r.len(), t.elapsed());
    }
    let t = Instant::now();
    let f = CustomerFilter { important_grade: Some(ImportantGrade::Grade1), ..Default::default() };
    let r = store.search_customers(None, &f, 50).await.unwrap();
    eprintln!("rare filter only: {} rows in {:?}", r.len(), t.elapsed());
    let t = Instant::now();
    let s = store.stats().await.unwrap();
    eprintln!("stats {s:?} in {:?}", t.elapsed());
}
