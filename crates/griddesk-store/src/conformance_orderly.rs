//! Conformance cases of [`crate::OrderlyStore`]: the load-limiting sequence reads back exactly
//! (decimals to the last digit), ordered by position then customer number, with each customer's
//! name and importance from the archive; a replacement drops the rows it leaves out; one naming
//! a customer not in the archive fails as a missing reference and leaves the sequence intact.

use crate::Store;
use crate::StoreError;
use crate::conformance::fixtures::{self, no};
use griddesk_domain::customer::{Customer, ImportantGrade};
use griddesk_domain::orderly::SequenceEntry;
use griddesk_domain::values::parse_decimal;

fn entry(c: &Customer, sequence: u32, load: &str, security: &str) -> SequenceEntry {
    let kw = |s: &str| parse_decimal("kw", s).expect("fixture kW");
    SequenceEntry {
        customer_no: c.customer_no.clone(),
        sequence,
        expected_load_kw: kw(load),
        security_load_kw: kw(security),
        shift_peak_kw: kw("120.25"),
        avoid_peak_kw: kw("0"),
        limit_kw: kw("300.125"),
        can_disconnect: sequence % 2 == 1,
    }
}

pub async fn orderly_sequence_is_replaced_whole_and_reads_back_in_order(store: &dyn Store) {
    fixtures::load(store).await;
    assert!(store.orderly_sequence().await.unwrap().is_empty());
    let all = fixtures::customers();
    let important = all
        .iter()
        .find(|c| c.important_grade != ImportantGrade::None)
        .expect("fixture has an important customer");
    let plain: Vec<&Customer> = all
        .iter()
        .filter(|c| c.important_grade == ImportantGrade::None)
        .take(3)
        .collect();
    assert_eq!(plain.len(), 3, "fixture has plain customers");

    // Given out of order: position 2 (two customers), 1, and the important one last at 3.
    let first = vec![
        entry(plain[2], 2, "850.5", "0"),
        entry(important, 3, "1200", "400.75"),
        entry(plain[0], 2, "600", "10"),
        entry(plain[1], 1, "999.999", "0"),
    ];
    store.replace_orderly_sequence(&first).await.unwrap();
    let read = store.orderly_sequence().await.unwrap();
    let mut expected = first.clone();
    expected.sort_by(|a, b| (a.sequence, &a.customer_no).cmp(&(b.sequence, &b.customer_no)));
    let entries: Vec<SequenceEntry> = read.iter().map(|r| r.entry.clone()).collect();
    assert_eq!(entries, expected);
    // Exactly, to the digit (not just numerically equal).
    assert_eq!(read[0].entry.expected_load_kw.to_string(), "999.999");
    assert_eq!(read[3].entry.security_load_kw.to_string(), "400.75");
    for r in &read {
        let c = all
            .iter()
            .find(|c| c.customer_no == r.entry.customer_no)
            .expect("a fixture customer");
        assert_eq!((&r.name, r.important_grade), (&c.name, c.important_grade));
    }

    // A customer not in the archive: nothing changes.
    let mut ghost = entry(plain[0], 1, "10", "0");
    ghost.customer_no = no("0999999999");
    let err = store
        .replace_orderly_sequence(&[entry(plain[1], 1, "5", "0"), ghost])
        .await
        .unwrap_err();
    match err {
        StoreError::MissingReference { field, value } => {
            assert_eq!((field, value.as_str()), ("customer_no", "0999999999"));
        }
        other => panic!("expected MissingReference, got {other:?}"),
    }
    assert_eq!(store.orderly_sequence().await.unwrap(), read);

    // A shorter list replaces the longer one whole; an empty one clears it.
    let second = vec![entry(important, 0, "1000", "300")];
    store.replace_orderly_sequence(&second).await.unwrap();
    let read: Vec<SequenceEntry> = store
        .orderly_sequence()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry)
        .collect();
    assert_eq!(read, second);
    store.replace_orderly_sequence(&[]).await.unwrap();
    assert!(store.orderly_sequence().await.unwrap().is_empty());
}
