//! Lines to pages.
//!
//! The rules a typesetter follows: at least two lines of a paragraph at the foot and at the
//! head of a page (no orphans, no widows), a heading never alone at the foot of a page, a
//! block marked "keep together" (a list item, a person's card, the title block) moved whole
//! to the next page when it fits on one, and no space at the head of a page.

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
    /// Lines that end with an inserted hyphen: a page never ends after one, so that a word
    /// is never split across pages.
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

struct Flat {
    block: usize,
    line: usize,
    height: f32,
    /// Space above this line when it does not start a page.
    gap: f32,
    breakable_before: bool,
}

/// Places every line of every block on pages whose text area is `page_height` tall.
pub fn paginate(blocks: &[BlockMetrics], page_height: f32) -> Vec<Placement> {
    let mut flat: Vec<Flat> = Vec::new();
    let mut previous: Option<&BlockMetrics> = None;
    for (b, block) in blocks.iter().enumerate() {
        let n = block.line_heights.len();
        let total: f32 = block.line_heights.iter().sum();
        let whole = block.keep_together && total <= page_height;
        for (i, &height) in block.line_heights.iter().enumerate() {
            let (gap, breakable_before) = if i == 0 {
                let gap = previous
                    .map(|p| p.space_after.max(block.space_before))
                    .unwrap_or(0.0);
                (gap, previous.is_none_or(|p| !p.keep_with_next))
            } else {
                let after_hyphen = block.hyphenated.get(i - 1).copied().unwrap_or(false);
                let splits = !whole && !after_hyphen && i >= MIN_LINES && n - i >= MIN_LINES;
                (0.0, splits)
            };
            flat.push(Flat {
                block: b,
                line: i,
                height,
                gap,
                breakable_before,
            });
        }
        if n > 0 {
            previous = Some(block);
        }
    }

    let mut placements = Vec::with_capacity(flat.len());
    let mut start = 0;
    let mut page = 0;
    while start < flat.len() {
        let mut y = 0.0;
        let mut end = start;
        while end < flat.len() {
            let gap = if end == start { 0.0 } else { flat[end].gap };
            if end > start && y + gap + flat[end].height > page_height + 0.01 {
                break;
            }
            y += gap + flat[end].height;
            end += 1;
        }
        if end < flat.len() {
            // Step back to the last place the rules allow a page to end.
            if let Some(legal) = (start + 1..=end).rev().find(|&j| flat[j].breakable_before) {
                end = legal;
            }
        }
        let mut y = 0.0;
        for (k, line) in flat.iter().enumerate().take(end).skip(start) {
            if k > start {
                y += line.gap;
            }
            placements.push(Placement {
                block: line.block,
                line: line.line,
                page,
                top: y,
            });
            y += line.height;
        }
        start = end;
        page += 1;
    }
    placements
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
        // 11 lines: 10 fit, which would carry one line over; two go instead.
        let placements = paginate(&[para(11)], 100.0);
        let pages = pages_of(&placements, 0);
        assert_eq!(pages.iter().filter(|&&p| p == 1).count(), 2);
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
    fn list_items_kept_whole_where_they_fit() {
        let mut item = para(4);
        item.keep_together = true;
        let placements = paginate(&[para(7), item.clone()], 100.0);
        assert_eq!(pages_of(&placements, 1), vec![1; 4]);
        // Too tall for any page: split after all.
        let mut tall = para(25);
        tall.keep_together = true;
        let placements = paginate(&[para(7), tall], 100.0);
        assert!(pages_of(&placements, 1).contains(&0));
    }

    #[test]
    fn no_page_ends_inside_a_hyphenated_word() {
        let mut p = para(11);
        p.hyphenated[8] = true;
        // Ten lines fit, widows push the break before line 9; line 8 is hyphenated, so the
        // break moves up one more line.
        let placements = paginate(&[p], 100.0);
        let on_second = pages_of(&placements, 0)
            .iter()
            .filter(|&&pg| pg == 1)
            .count();
        assert_eq!(on_second, 3);
    }

    #[test]
    fn space_is_dropped_at_the_head_of_a_page() {
        let mut second = para(5);
        second.space_before = 30.0;
        let placements = paginate(&[para(9), second], 100.0);
        let first_on_page = placements.iter().find(|p| p.block == 1).expect("placed");
        assert_eq!(first_on_page.top, 0.0);
    }
}
