//! SVG rendering of customer number plates (户号牌, D1): one plate, and the printable batch of a
//! transformer area as A4 pages of eight plates. The customer's name and address travel only
//! inside the QR code; they are never written as text into the SVG.

use griddesk_domain::plate::Plate;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

/// Plate size in SVG user units (0.1 mm): 90 mm x 56 mm.
pub const PLATE_W: u32 = 900;
pub const PLATE_H: u32 = 560;
/// A4 in 0.1 mm.
const PAGE_W: u32 = 2100;
const PAGE_H: u32 = 2970;
pub const PLATES_PER_PAGE: usize = 8;

#[derive(Debug, thiserror::Error)]
#[error("QR code cannot hold the plate text: {0}")]
pub struct PlateError(String);

/// Escapes text for SVG/XML character data and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The QR code as one `<path>` of dark modules in a `size`-unit square at (x, y), with the
/// standard four-module quiet zone.
fn qr_group(text: &str, x: u32, y: u32, size: u32) -> Result<String, PlateError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| PlateError(e.to_string()))?;
    let w = code.width();
    let colors = code.to_colors();
    let total = w + 8;
    let mut d = String::with_capacity(w * w * 4);
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (cx, cy) = (i % w + 4, i / w + 4);
            let _ = write!(d, "M{cx} {cy}h1v1h-1z");
        }
    }
    Ok(format!(
        r##"<svg x="{x}" y="{y}" width="{size}" height="{size}" viewBox="0 0 {total} {total}" shape-rendering="crispEdges" class="qr"><rect width="{total}" height="{total}" fill="#fff"/><path d="{d}" fill="#000"/></svg>"##
    ))
}

/// The plate's drawing, positioned at (x, y) in the parent's 0.1 mm units.
pub fn plate_group(p: &Plate, x: u32, y: u32) -> Result<String, PlateError> {
    let company = xml_escape(&p.company);
    let area = xml_escape(&p.area_name);
    let line = xml_escape(&p.line_name);
    let no = xml_escape(&p.customer_no);
    let hotline = xml_escape(&p.hotline);
    let qr = qr_group(&p.qr_text, 610, 150, 270)?;
    Ok(format!(
        r##"<g transform="translate({x} {y})" class="plate" data-customer-no="{no}">
<rect x="4" y="4" width="{iw}" height="{ih}" rx="24" fill="#fff" stroke="#0b5394" stroke-width="8"/>
<path d="M4 28a24 24 0 0 1 24-24h{hw}a24 24 0 0 1 24 24v92h-{bw}z" fill="#0b5394"/>
<circle cx="70" cy="62" r="38" fill="#fff"/>
<path d="M76 30 52 68h18l-8 30 26-40H70z" fill="#f1c232"/>
<text x="126" y="78" font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" font-size="44" font-weight="700" fill="#fff">{company}</text>
<text x="40" y="188" font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" font-size="34" fill="#444">户号 Customer No.</text>
<text x="36" y="296" font-family="DejaVu Sans Mono, Consolas, monospace" font-size="92" font-weight="700" textLength="548" lengthAdjust="spacingAndGlyphs" fill="#111">{no}</text>
<text x="40" y="378" font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" font-size="32" fill="#222">台区：{area}</text>
<text x="40" y="426" font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" font-size="32" fill="#222">线路：{line}</text>
<rect x="4" y="460" width="{iw}" height="2" fill="#0b5394"/>
<text x="40" y="522" font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" font-size="38" font-weight="700" fill="#0b5394">供电服务热线 {hotline}</text>
{qr}
<text x="745" y="446" text-anchor="middle" font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" font-size="22" fill="#666">扫码缴费 · 报修</text>
</g>"##,
        iw = PLATE_W - 8,
        ih = PLATE_H - 8,
        hw = PLATE_W - 56,
        bw = PLATE_W - 8,
    ))
}

/// A stand-alone SVG document of one plate (90 mm x 56 mm).
pub fn plate_svg(p: &Plate) -> Result<String, PlateError> {
    let g = plate_group(p, 0, 0)?;
    Ok(format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="90mm" height="56mm" viewBox="0 0 {PLATE_W} {PLATE_H}" role="img"><title>户号牌 {no}</title>
{g}
</svg>"##,
        no = xml_escape(&p.customer_no)
    ))
}

/// The inner markup of one A4 page with up to eight plates, two columns by four rows, with cut
/// marks, positioned at `y` (0.1 mm).
fn page_group(
    plates: &[Plate],
    page: usize,
    pages: usize,
    title: &str,
) -> Result<String, PlateError> {
    let margin_x = (PAGE_W - 2 * PLATE_W) / 3;
    let top = 150;
    let gap_y = (PAGE_H - top - 120 - 4 * PLATE_H) / 3;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<rect width="{PAGE_W}" height="{PAGE_H}" fill="#fff"/><text x="{margin_x}" y="100" font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" font-size="36" fill="#555">{title}</text><text x="{rx}" y="100" text-anchor="end" font-family="sans-serif" font-size="36" fill="#555">{p} / {pages}</text>"##,
        title = xml_escape(title),
        rx = PAGE_W - margin_x,
        p = page + 1,
    );
    for (i, plate) in plates.iter().enumerate() {
        let col = u32::try_from(i % 2).unwrap_or(0);
        let row = u32::try_from(i / 2).unwrap_or(0);
        let x = margin_x + col * (PLATE_W + margin_x);
        let y = top + row * (PLATE_H + gap_y);
        out.push_str(&plate_group(plate, x, y)?);
    }
    Ok(out)
}

/// One A4 page as an SVG element (for the console's print page).
pub fn page_svg(
    plates: &[Plate],
    page: usize,
    pages: usize,
    title: &str,
) -> Result<String, PlateError> {
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="sheet-svg" viewBox="0 0 {PAGE_W} {PAGE_H}" width="210mm" height="297mm">{}</svg>"##,
        page_group(plates, page, pages, title)?
    ))
}

/// Every plate of an area as one SVG document of A4 pages stacked vertically (each page a
/// `<g class="page">` of 210 mm x 297 mm), ready to print or to split.
pub fn batch_svg(plates: &[Plate], title: &str) -> Result<String, PlateError> {
    let pages = plates.len().div_ceil(PLATES_PER_PAGE).max(1);
    let height = u32::try_from(pages).unwrap_or(1) * PAGE_H;
    let mut out = format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="{h}mm" viewBox="0 0 {PAGE_W} {height}" data-pages="{pages}"><title>{t}</title>
"##,
        h = height / 10,
        t = xml_escape(title),
    );
    let chunks: Vec<&[Plate]> = if plates.is_empty() {
        vec![&[]]
    } else {
        plates.chunks(PLATES_PER_PAGE).collect()
    };
    for (i, chunk) in chunks.iter().enumerate() {
        let y = u32::try_from(i).unwrap_or(0) * PAGE_H;
        let _ = writeln!(
            out,
            r#"<g class="page" transform="translate(0 {y})">{}</g>"#,
            page_group(chunk, i, pages, title)?
        );
    }
    out.push_str("</svg>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plate(no: &str) -> Plate {
        Plate {
            customer_no: no.into(),
            company: "示范供电公司".into(),
            hotline: "95598".into(),
            area_name: "东村1号台区".into(),
            line_name: "10kV东线".into(),
            qr_text: "户号:0100000001\n户名:张伟\n地址:城关镇东村12号".into(),
        }
    }

    #[test]
    fn plate_hides_name_and_address() {
        let svg = plate_svg(&plate("0100000001")).unwrap();
        assert!(svg.contains("0100000001"));
        assert!(svg.contains("95598"));
        assert!(svg.contains("class=\"qr\""));
        assert!(!svg.contains("张伟"));
        assert!(!svg.contains("城关镇东村12号"));
    }

    #[test]
    fn batch_has_a4_pages_of_eight() {
        let plates: Vec<Plate> = (0..17).map(|i| plate(&format!("01000000{i:02}"))).collect();
        let svg = batch_svg(&plates, "东村1号台区").unwrap();
        assert_eq!(svg.matches("class=\"page\"").count(), 3);
        assert_eq!(svg.matches("class=\"plate\"").count(), 17);
        assert!(svg.contains("height=\"891mm\""));
    }
}
