//! A flame graph as SVG, written directly (the `inferno` crate would bring
//! a dozen dependencies for what is a tree walk and some rectangles).
//!
//! The picture is Brendan Gregg's: the x axis is the share of samples
//! (not time), each box a function on one call path, its callers below
//! it, siblings in alphabetical order; colours are the "hot" palette, a
//! function's colour fixed by its name. Every box has a tooltip
//! (`<title>`) with the function, its samples and their share.

use super::GuestProfiler;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Width of the image, and of the margins left and right.
const WIDTH: f64 = 1200.0;
const MARGIN: f64 = 10.0;
/// Height of one box (a stack level).
const FRAME_HEIGHT: f64 = 16.0;
/// Room above the boxes (title) and below them (the details line).
const HEADER: f64 = 40.0;
const FOOTER: f64 = 24.0;
/// Font size, and the width of a character at that size (an estimate
/// for Verdana; names are cut to fit their box).
const FONT_SIZE: f64 = 12.0;
const CHAR_WIDTH: f64 = 7.0;

/// A function on one call path, with its samples (its own and its
/// callees').
#[derive(Default)]
struct Node<'a> {
    samples: u64,
    children: BTreeMap<&'a str, Node<'a>>,
}

impl<'a> Node<'a> {
    fn add(&mut self, path: &[&'a str], n: u64) {
        self.samples += n;
        if let Some((first, rest)) = path.split_first() {
            self.children.entry(first).or_default().add(rest, n);
        }
    }

    fn depth(&self) -> usize {
        self.children
            .values()
            .map(|c| 1 + c.depth())
            .max()
            .unwrap_or(0)
    }
}

pub(super) fn write(p: &GuestProfiler, out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let mut root = Node::default();
    for (names, n) in p.stack_counts() {
        root.add(&names, n);
    }
    let depth = root.depth() + 1;
    let height = HEADER + depth as f64 * FRAME_HEIGHT + FOOTER;
    writeln!(out, r#"<?xml version="1.0" standalone="no"?>"#)?;
    writeln!(
        out,
        r#"<svg version="1.1" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">"#
    )?;
    writeln!(
        out,
        r#"<style>text {{ font-family: Verdana, sans-serif; font-size: {FONT_SIZE}px; fill: rgb(0,0,0); }} .title {{ font-size: 17px; }} rect:hover {{ stroke: black; stroke-width: 0.5; }}</style>"#
    )?;
    writeln!(
        out,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="rgb(248,248,248)"/>"#
    )?;
    writeln!(
        out,
        r#"<text class="title" x="{}" y="24" text-anchor="middle">Flame Graph: {}</text>"#,
        WIDTH / 2.0,
        xml(&p.name)
    )?;
    let interval_ms = p.interval.as_secs_f64() * 1000.0;
    writeln!(
        out,
        r#"<text x="{MARGIN}" y="{}">{} samples, one every {interval_ms} ms; width is the share of samples, callers below callees</text>"#,
        height - 8.0,
        root.samples
    )?;
    if root.samples > 0 {
        let scale = (WIDTH - 2.0 * MARGIN) / root.samples as f64;
        frame(
            &mut out,
            "all",
            &root,
            root.samples,
            MARGIN,
            0,
            scale,
            height,
        )?;
    }
    writeln!(out, "</svg>")?;
    out.flush()
}

/// Writes the box of `node` (function `name`) at `x`, `level` levels up
/// from the bottom, then its callees' boxes.
#[allow(clippy::too_many_arguments)] // the layout's state, passed down the tree walk
fn frame(
    out: &mut impl Write,
    name: &str,
    node: &Node<'_>,
    total: u64,
    x: f64,
    level: usize,
    scale: f64,
    height: f64,
) -> io::Result<()> {
    let w = node.samples as f64 * scale;
    if w < 0.1 {
        return Ok(());
    }
    let y = height - FOOTER - (level + 1) as f64 * FRAME_HEIGHT;
    let (r, g, b) = colour(name);
    let share = 100.0 * node.samples as f64 / total as f64;
    let samples = if node.samples == 1 {
        "sample"
    } else {
        "samples"
    };
    writeln!(out, "<g>")?;
    writeln!(
        out,
        "<title>{} ({} {samples}, {share:.2}%)</title>",
        xml(name),
        node.samples
    )?;
    writeln!(
        out,
        r#"<rect x="{x:.2}" y="{y:.2}" width="{:.2}" height="{:.2}" fill="rgb({r},{g},{b})" rx="2" ry="2"/>"#,
        w,
        FRAME_HEIGHT - 1.0
    )?;
    let fits = ((w - 6.0) / CHAR_WIDTH).floor();
    if fits >= 3.0 {
        let fits = fits as usize;
        let label: String = if name.chars().count() <= fits {
            name.to_string()
        } else {
            name.chars().take(fits - 2).chain("..".chars()).collect()
        };
        writeln!(
            out,
            r#"<text x="{:.2}" y="{:.2}">{}</text>"#,
            x + 3.0,
            y + FRAME_HEIGHT - 4.5,
            xml(&label)
        )?;
    }
    writeln!(out, "</g>")?;
    let mut cx = x;
    for (child, c) in &node.children {
        frame(out, child, c, total, cx, level + 1, scale, height)?;
        cx += c.samples as f64 * scale;
    }
    Ok(())
}

/// The "hot" palette (reds, oranges, yellows), fixed by the name (FNV-1a).
fn colour(name: &str) -> (u8, u8, u8) {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    let v1 = f64::from(h & 0xff) / 255.0;
    let v2 = f64::from((h >> 8) & 0xff) / 255.0;
    let v3 = f64::from((h >> 16) & 0xff) / 255.0;
    (
        (205.0 + 50.0 * v3) as u8,
        (230.0 * v1) as u8,
        (55.0 * v2) as u8,
    )
}

/// Text for SVG (XML): the five special characters escaped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{colour, xml};

    #[test]
    fn names_are_escaped_and_coloured_by_name() {
        assert_eq!(xml("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(colour("hot"), colour("hot"));
        assert_ne!(colour("hot"), colour("cold"));
        assert!(colour("hot").0 >= 205);
    }
}
