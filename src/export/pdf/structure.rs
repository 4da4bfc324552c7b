//! The logical structure of the handout (tagged PDF): which text is a heading, a paragraph, a
//! list, a link, in reading order.
//!
//! Elements are created while laying out; they join their parent's children only when their
//! first content is drawn, so an element's children (content and sub-elements such as links
//! inside a paragraph) come out in the order a reader meets them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Document,
    H1,
    H2,
    H3,
    H4,
    P,
    L,
    LI,
    Lbl,
    LBody,
    Link,
    Sect,
    /// A phrase set apart by an attribute such as its language.
    Span,
}

impl Role {
    /// The standard structure type name (PDF 32000-1, 14.8.4).
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::H4 => "H4",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Link => "Link",
            Role::Sect => "Sect",
            Role::Span => "Span",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kid {
    /// Another element.
    Elem(usize),
    /// Marked content `mcid` on page `page` (0-based).
    Content { page: usize, mcid: usize },
    /// An annotation: the `index`-th link annotation of page `page`.
    Annotation { page: usize, index: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Elem {
    pub role: Role,
    pub parent: usize,
    pub kids: Vec<Kid>,
    /// Alternate description (a link's address).
    pub alt: Option<String>,
    /// Language of the element's content when it differs from the document's (`/Lang`).
    pub lang: Option<String>,
    attached: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructTree {
    pub elems: Vec<Elem>,
}

impl Default for StructTree {
    fn default() -> Self {
        Self::new()
    }
}

impl StructTree {
    pub const ROOT: usize = 0;

    pub fn new() -> StructTree {
        StructTree {
            elems: vec![Elem {
                role: Role::Document,
                parent: 0,
                kids: Vec::new(),
                alt: None,
                lang: None,
                attached: true,
            }],
        }
    }

    pub fn add(&mut self, role: Role, parent: usize) -> usize {
        self.elems.push(Elem {
            role,
            parent,
            kids: Vec::new(),
            alt: None,
            lang: None,
            attached: false,
        });
        self.elems.len() - 1
    }

    pub fn set_alt(&mut self, elem: usize, alt: &str) {
        if let Some(e) = self.elems.get_mut(elem) {
            e.alt = Some(alt.to_string());
        }
    }

    pub fn set_lang(&mut self, elem: usize, lang: &str) {
        if let Some(e) = self.elems.get_mut(elem) {
            e.lang = Some(lang.to_string());
        }
    }

    /// Records content drawn for `elem`, attaching the element (and its ancestors) to the
    /// tree on first use.
    pub fn push(&mut self, elem: usize, kid: Kid) {
        self.attach(elem);
        if let Some(e) = self.elems.get_mut(elem) {
            e.kids.push(kid);
        }
    }

    fn attach(&mut self, elem: usize) {
        let mut chain = Vec::new();
        let mut cursor = elem;
        while let Some(e) = self.elems.get(cursor) {
            if e.attached {
                break;
            }
            chain.push(cursor);
            cursor = e.parent;
        }
        for child in chain.into_iter().rev() {
            let parent = self.elems[child].parent;
            self.elems[child].attached = true;
            self.elems[parent].kids.push(Kid::Elem(child));
        }
    }

    /// The element a link's annotation and visible text belong to: `elem` itself, or the
    /// Link holding it when `elem` is a Span (a phrase in another language) inside a link.
    pub fn link_of(&self, elem: usize) -> usize {
        let mut cursor = elem;
        while let Some(e) = self.elems.get(cursor) {
            match e.role {
                Role::Link => return cursor,
                Role::Span if e.parent != cursor => cursor = e.parent,
                _ => break,
            }
        }
        elem
    }

    pub fn is_attached(&self, elem: usize) -> bool {
        self.elems.get(elem).is_some_and(|e| e.attached)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_come_between_the_text_around_them() {
        let mut tree = StructTree::new();
        let p = tree.add(Role::P, StructTree::ROOT);
        let link = tree.add(Role::Link, p);
        tree.push(p, Kid::Content { page: 0, mcid: 0 });
        tree.push(link, Kid::Content { page: 0, mcid: 1 });
        tree.push(p, Kid::Content { page: 0, mcid: 2 });
        assert_eq!(
            tree.elems[p].kids,
            vec![
                Kid::Content { page: 0, mcid: 0 },
                Kid::Elem(link),
                Kid::Content { page: 0, mcid: 2 }
            ]
        );
        assert_eq!(tree.elems[0].kids, vec![Kid::Elem(p)]);
    }

    #[test]
    fn a_span_inside_a_link_leads_to_the_link() {
        let mut tree = StructTree::new();
        let p = tree.add(Role::P, StructTree::ROOT);
        let outer = tree.add(Role::Span, p);
        let link = tree.add(Role::Link, outer);
        let inner = tree.add(Role::Span, link);
        assert_eq!(tree.link_of(inner), link);
        assert_eq!(tree.link_of(link), link);
        assert_eq!(
            tree.link_of(outer),
            outer,
            "a Span outside any link is its own"
        );
        assert_eq!(tree.link_of(p), p);
    }
}
