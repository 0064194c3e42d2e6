//! Customer number plate (户号牌, D1): what the printed label carries. The QR code holds customer
//! number, name and address; the label itself prints only the number, the area and line names,
//! the company and the 95598 hotline, so a passer-by cannot read the name or address.

use crate::customer::Customer;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plate {
    pub customer_no: String,
    pub company: String,
    pub hotline: String,
    pub area_name: String,
    pub line_name: String,
    /// Text encoded in the QR code (not printed in clear).
    pub qr_text: String,
}

impl Plate {
    pub fn new(c: &Customer, company: &str, area_name: &str, line_name: &str) -> Self {
        Self {
            customer_no: c.customer_no.to_string(),
            company: company.to_owned(),
            hotline: "95598".to_owned(),
            area_name: area_name.to_owned(),
            line_name: line_name.to_owned(),
            qr_text: format!(
                "户号:{}\n户名:{}\n地址:{}",
                c.customer_no, c.name, c.address
            ),
        }
    }
}
