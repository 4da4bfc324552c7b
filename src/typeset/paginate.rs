//! Lines to pages, chosen for the whole document at once.
//!
//! As Knuth and Plass break a paragraph into lines, the document is broken into pages: every
//! place a page may end is a candidate, each page gets a cost, and the cheapest sequence of
//! pages wins (dynamic programming over the candidates), instead of filling each page
//! greedily and leaving the consequences to the next.
//!
//! The rules (all of them documented in docs/pdf.md):
//! - a paragraph or list item may split across pages, keeping at least [`MIN_LINES`] lines
//!   on each side (no orphans, no widows); a block marked "keep together" (a person's card,
//!   a question, a heading) moves whole when it fits on a page;
//! - a heading is never the last thing on a page, and since the block after it cannot split
//!   before its second line, at least two lines follow it;
//! - a page may end after a hyphenated line, at a cost ([`AFTER_HYPHEN`]);
//! - flush bottom, as TeX's `\flushbottom`: on every page but the last, the space between
//!   blocks grows (to at most [`GAP_STRETCH`] times more than its natural size) so the last
//!   line sits on the bottom of the text area; it may also shrink to [`GAP_SHRINK`] of its
//!   size, at a cost, to fit one more line;
//! - a last page of fewer than [`MIN_LAST_PAGE_LINES`] lines costs a lot, and every page costs
//!   something, so a near-empty last page is avoided where the other pages can absorb it;
//! - no space at the head of a page.

/// One block's vertical needs: its line heights and how it may be split.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockMetrics {
    pub line_heights: Vec<f32>,
    pub space_before: f32,
    pub space_after: f32,
    /// Never end a page after this block (headings).
    pub keep_with_next: bool,
    /// Never split this block, if it fits on a page.
    pub keep_together: bool,
    /// Lines that end with an inserted hyphen: a page that ends after one splits a word
    /// across pages, which costs [`AFTER_HYPHEN`].
    pub hyphenated: Vec<bool>,
}

/// Where one line lands: block, line in block, page, and the top of the line measured down
/// from the top of the text area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub block: usize,
    pub line: usize,
    pub page: usize,
    pub top: f32,
}

/// Minimum lines of a paragraph left at a page's foot or carried to the next page's head.
pub const MIN_LINES: usize = 2;
/// The space between blocks may grow by this share of itself on a filled page.
pub const GAP_STRETCH: f32 = 1.0;
/// ... and shrink to this share of itself, at a cost.
pub const GAP_SHRINK: f32 = 0.8;
/// A last page with fewer lines than this costs [`SHORT_LAST_PAGE`] per missing line.
pub const MIN_LAST_PAGE_LINES: usize = 8;

/// Costs, in the units of a page's badness (100 = its gaps stretched to their limit).
const AFTER_HYPHEN: f64 = 1500.0;
const INSIDE_BLOCK: f64 = 50.0;
const PER_PAGE: f64 = 1500.0;
const SHORT_LAST_PAGE: f64 = 3000.0;
/// Per square point of space left empty beyond what the gaps can take.
const UNFILLED: f64 = 6.0;

struct Flat {
    block: usize,
    line: usize,
    height: f32,
    /// Space above this line when it does not start a page.
    gap: f32,
    breakable_before: bool,
    /// The cost of a page ending just before this line.
    penalty: f64,
}

fn flatten(blocks: &[BlockMetrics], page_height: f32) -> Vec<Flat> {
    let mut flat: Vec<Flat> = Vec::new();
    let mut previous: Option<&BlockMetrics> = None;
    for (b, block) in blocks.iter().enumerate() {
        let n = block.line_heights.len();
        let total: f32 = block.line_heights.iter().sum();
        let whole = block.keep_together && total <= page_height;
        for (i, &height) in block.line_heights.iter().enumerate() {
            let (gap, breakable_before, penalty) = if i == 0 {
                let gap = previous
                    .map(|p| p.space_after.max(block.space_before))
                    .unwrap_or(0.0);
                (gap, previous.is_none_or(|p| !p.keep_with_next), 0.0)
            } else {
                let after_hyphen = block.hyphenated.get(i - 1).copied().unwrap_or(false);
                let splits = !whole && i >= MIN_LINES && n - i >= MIN_LINES;
                let cost = INSIDE_BLOCK + if after_hyphen { AFTER_HYPHEN } else { 0.0 };
                (0.0, splits, cost)
            };
            flat.push(Flat {
                block: b,
                line: i,
                height,
                gap,
                breakable_before,
                penalty,
            });
        }
        if n > 0 {
            previous = Some(block);
        }
    }
    flat
}

/// Running sums over the flat lines: heights, and the gaps above each line.
struct Sums {
    height: Vec<f64>,
    gap: Vec<f64>,
}

impl Sums {
    fn new(flat: &[Flat]) -> Sums {
        let mut height = vec![0.0];
        let mut gap = vec![0.0];
        for line in flat {
            height.push(height.last().copied().unwrap_or(0.0) + f64::from(line.height));
            gap.push(gap.last().copied().unwrap_or(0.0) + f64::from(line.gap));
        }
        Sums { height, gap }
    }

    /// (natural height, gaps) of a page holding lines `a..b`; the gap above `a` is dropped.
    fn page(&self, a: usize, b: usize) -> (f64, f64) {
        let gaps = if b > a + 1 {
            self.gap[b] - self.gap[a + 1]
        } else {
            0.0
        };
        (self.height[b] - self.height[a] + gaps, gaps)
    }
}

/// How a page's gaps are set: the factor every gap is multiplied by, and the page's cost.
fn fit(natural: f64, gaps: f64, page_height: f64, last: bool, lines: usize) -> Option<(f64, f64)> {
    let stretch = gaps * f64::from(GAP_STRETCH);
    let shrink = gaps * f64::from(1.0 - GAP_SHRINK);
    let room = page_height - natural;
    if room < -shrink - 0.01 {
        return None;
    }
    if room < 0.0 {
        let r = if shrink > 0.0 { -room / shrink } else { 0.0 };
        return Some((1.0 - r * f64::from(1.0 - GAP_SHRINK), 100.0 * r.powi(3)));
    }
    if last {
        let short = MIN_LAST_PAGE_LINES.saturating_sub(lines) as f64;
        return Some((1.0, short * SHORT_LAST_PAGE));
    }
    if stretch <= 0.0 {
        return Some((1.0, 100.0 + UNFILLED * room * room));
    }
    let r = room / stretch;
    if r <= 1.0 {
        Some((1.0 + r * f64::from(GAP_STRETCH), 100.0 * r.powi(3)))
    } else {
        let left = room - stretch;
        Some((1.0 + f64::from(GAP_STRETCH), 100.0 + UNFILLED * left * left))
    }
}

/// Places every line of every block on pages whose text area is `page_height` tall.
pub fn paginate(blocks: &[BlockMetrics], page_height: f32) -> Vec<Placement> {
    let flat = flatten(blocks, page_height);
    let n = flat.len();
    if n == 0 {
        return Vec::new();
    }
    let starts = best_pages(&flat, page_height, false)
        .or_else(|| best_pages(&flat, page_height, true))
        .unwrap_or_else(|| (0..n).collect());
    let sums = Sums::new(&flat);
    let mut placements = Vec::with_capacity(n);
    let page_height = f64::from(page_height);
    for (page, &a) in starts.iter().enumerate() {
        let b = starts.get(page + 1).copied().unwrap_or(n);
        let (natural, gaps) = sums.page(a, b);
        let last = b == n;
        let factor = fit(natural, gaps, page_height, last, b - a)
            .map(|(f, _)| f)
            .unwrap_or(1.0);
        let mut y = 0.0f64;
        for (k, line) in flat.iter().enumerate().take(b).skip(a) {
            if k > a {
                y += f64::from(line.gap) * factor;
            }
            placements.push(Placement {
                block: line.block,
                line: line.line,
                page,
                top: y as f32,
            });
            y += f64::from(line.height);
        }
    }
    placements
}

/// The first line of every page, for the cheapest sequence of pages; `None` when the rules
/// leave no way to fill pages (then `anywhere` lets a page end before any line).
fn best_pages(flat: &[Flat], page_height: f32, anywhere: bool) -> Option<Vec<usize>> {
    let n = flat.len();
    let sums = Sums::new(flat);
    let page_height = f64::from(page_height);
    let candidates: Vec<usize> = (0..n)
        .filter(|&k| k == 0 || anywhere || flat[k].breakable_before)
        .chain([n])
        .collect();
    // best[c]: the cheapest cost of pages ending just before candidate c, and the candidate
    // that page started at.
    let mut best: Vec<Option<(f64, usize)>> = vec![None; candidates.len()];
    best[0] = Some((0.0, 0));
    for cb in 1..candidates.len() {
        let b = candidates[cb];
        let penalty = if b == n { 0.0 } else { flat[b].penalty };
        for ca in (0..cb).rev() {
            let a = candidates[ca];
            let (natural, gaps) = sums.page(a, b);
            let shrink = gaps * f64::from(1.0 - GAP_SHRINK);
            if natural - shrink > page_height + 0.01 && b > a + 1 {
                break;
            }
            let Some((before, _)) = best[ca] else {
                continue;
            };
            let cost = match fit(natural, gaps, page_height, b == n, b - a) {
                Some((_, cost)) => cost,
                // A single line taller than the page: it gets a page of its own.
                None if b == a + 1 => 10_000.0,
                None => continue,
            };
            let total = before + cost + penalty + PER_PAGE;
            if best[cb].is_none_or(|(t, _)| total < t) {
                best[cb] = Some((total, ca));
            }
        }
    }
    let mut starts = Vec::new();
    let mut c = candidates.len() - 1;
    best[c]?;
    while c > 0 {
        let (_, from) = best[c]?;
        starts.push(candidates[from]);
        c = from;
    }
    starts.reverse();
    Some(starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(lines: usize) -> BlockMetrics {
        BlockMetrics {
            line_heights: vec![10.0; lines],
            space_before: 0.0,
            space_after: 0.0,
            keep_with_next: false,
            keep_together: false,
            hyphenated: vec![false; lines],
        }
    }

    fn pages_of(placements: &[Placement], block: usize) -> Vec<usize> {
        placements
            .iter()
            .filter(|p| p.block == block)
            .map(|p| p.page)
            .collect()
    }

    #[test]
    fn no_orphan_at_the_foot_of_a_page() {
        // 9 lines fill the page but one; the next paragraph would leave one line alone.
        let placements = paginate(&[para(9), para(5)], 100.0);
        assert_eq!(pages_of(&placements, 1), vec![1; 5]);
    }

    #[test]
    fn no_widow_at_the_head_of_a_page() {
        // 11 lines: 10 fit, which would carry one line over; at least two go instead.
        let placements = paginate(&[para(11)], 100.0);
        let pages = pages_of(&placements, 0);
        let second = pages.iter().filter(|&&p| p == 1).count();
        assert!((2..=9).contains(&second), "{second}");
    }

    #[test]
    fn heading_never_alone_at_the_foot() {
        let mut heading = para(1);
        heading.keep_with_next = true;
        let placements = paginate(&[para(8), heading, para(4)], 100.0);
        assert_eq!(pages_of(&placements, 1), vec![1]);
        assert_eq!(pages_of(&placements, 2), vec![1; 4]);
    }

    #[test]
    fn blocks_kept_together_move_whole_where_they_fit() {
        let mut item = para(4);
        item.keep_together = true;
        let placements = paginate(&[para(7), item.clone()], 100.0);
        assert_eq!(pages_of(&placements, 1), vec![1; 4]);
        // Too tall for any page: split after all.
        let mut tall = para(25);
        tall.keep_together = true;
        let placements = paginate(&[para(7), tall], 100.0);
        let pages: std::collections::BTreeSet<usize> =
            pages_of(&placements, 1).into_iter().collect();
        assert!(pages.len() >= 3, "{pages:?}");
    }

    #[test]
    fn a_page_ends_after_a_hyphen_only_when_that_pays() {
        let mut p = para(11);
        p.hyphenated[8] = true;
        // Widows rule out a break before line 10; the break before line 9 would follow a
        // hyphen, and one line more of white costs less than that.
        let placements = paginate(&[p], 100.0);
        let on_second = pages_of(&placements, 0)
            .iter()
            .filter(|&&pg| pg == 1)
            .count();
        assert_eq!(on_second, 3);
        // A full page after a hyphen beats a page one line short and a third page.
        let mut p = para(20);
        p.hyphenated[9] = true;
        let placements = paginate(&[p], 100.0);
        let on_first = pages_of(&placements, 0)
            .iter()
            .filter(|&&pg| pg == 0)
            .count();
        assert_eq!(on_first, 10);
    }

    #[test]
    fn pages_end_flush_by_stretching_the_space_between_blocks() {
        let mut blocks = Vec::new();
        for _ in 0..6 {
            let mut b = para(3);
            b.space_before = 4.0;
            blocks.push(b);
        }
        let placements = paginate(&blocks, 100.0);
        let first_page_bottom = placements
            .iter()
            .filter(|p| p.page == 0)
            .map(|p| p.top + 10.0)
            .fold(0.0f32, f32::max);
        assert!(
            (first_page_bottom - 100.0).abs() < 0.01,
            "{first_page_bottom}"
        );
        // The last page keeps its natural spacing.
        let last: Vec<&Placement> = placements.iter().filter(|p| p.page == 1).collect();
        assert_eq!(last[3].top - last[2].top, 14.0);
    }

    #[test]
    fn whole_document_breaking_avoids_a_near_empty_last_page() {
        // Filled greedily, three blocks go on each page and the seventh alone on a third
        // page; spread as 2, 2, 3 the last page holds nine lines.
        let mut blocks = Vec::new();
        for _ in 0..7 {
            let mut b = para(3);
            b.space_before = 5.0;
            blocks.push(b);
        }
        let placements = paginate(&blocks, 100.0);
        let pages = placements.iter().map(|p| p.page).max().unwrap_or(0) + 1;
        let last_page = placements.iter().filter(|p| p.page == pages - 1).count();
        assert!(
            last_page >= MIN_LAST_PAGE_LINES,
            "{last_page} lines on the last page"
        );
    }

    #[test]
    fn space_is_dropped_at_the_head_of_a_page() {
        let mut second = para(9);
        second.space_before = 30.0;
        let placements = paginate(&[para(9), second], 100.0);
        let first_on_page = placements.iter().find(|p| p.block == 1).expect("placed");
        assert_eq!(first_on_page.top, 0.0);
    }
}
