#!/usr/bin/env python3
"""Measures a polypress handout from the PDF itself, as a reader's software meets it.

Usage: pdf_measure.py FILE.pdf  -> one JSON object on stdout:

- "plain": the text PyMuPDF extracts (what search and copy give), lines joined only where a
  line ends with U+00AD (a hyphen the line breaker inserted);
- "tree": the text read along the structure tree, as assistive technology gets it: marked
  content in tree order, each marked-content sequence's /ActualText in place of its glyphs;
- "pages": per page, the body lines (footer left out) with their baseline (points from the
  top edge), left and right edge and text;
- "hyphenated" / "body_lines" / "max_consecutive_hyphenated": lines ending in U+00AD.

Needs PyMuPDF (fitz) and pikepdf. Nothing here reads polypress's own data.
"""

import json
import re
import sys

import pymupdf as fitz  # PyMuPDF
import pikepdf

SOFT_HYPHEN = "\u00ad"
# The running footer's baseline is 44 pt above the bottom edge; body text ends 78 pt above it.
FOOTER_ZONE = 62.0


def plain_text(doc):
    """Each page's text as PyMuPDF gives it, the running footer (an /Artifact) left out, so
    that a word hyphenated at the foot of a page joins its end on the next."""
    lines = []
    for page in doc:
        height = page.rect.height
        for block in page.get_text("blocks"):
            x0, y0, x1, y1, text = block[:5]
            if y0 > height - FOOTER_ZONE:
                continue
            lines.extend(text.splitlines())
    out = []
    for line in lines:
        if out and out[-1].endswith(SOFT_HYPHEN):
            out[-1] = out[-1][:-1] + line
        else:
            out.append(line)
    return "\n".join(out)


def page_lines(doc):
    pages = []
    for page in doc:
        height = page.rect.height
        rows = []
        data = page.get_text("dict")
        for block in data["blocks"]:
            for line in block.get("lines", []):
                spans = line["spans"]
                if not spans:
                    continue
                text = "".join(s["text"] for s in spans)
                if not text.strip():
                    continue
                baseline = max(s["origin"][1] for s in spans)
                if baseline > height - FOOTER_ZONE:
                    continue
                rows.append(
                    {
                        "baseline": round(baseline, 2),
                        "x0": round(line["bbox"][0], 2),
                        "x1": round(max(s["bbox"][2] for s in spans if s["text"].strip()), 2),
                        "size": round(max(s["size"] for s in spans), 2),
                        "text": text,
                    }
                )
        # Lines of one baseline (several spans of one line) merged, top to bottom.
        rows.sort(key=lambda r: (r["baseline"], r["x0"]))
        merged = []
        for row in rows:
            if merged and abs(merged[-1]["baseline"] - row["baseline"]) < 0.5:
                merged[-1]["text"] += row["text"]
                merged[-1]["x1"] = max(merged[-1]["x1"], row["x1"])
                merged[-1]["size"] = max(merged[-1]["size"], row["size"])
            else:
                merged.append(dict(row))
        pages.append({"height": height, "lines": merged})
    return pages


# --- The structure tree -----------------------------------------------------------------


def parse_cmap(data):
    """A ToUnicode CMap's bfchar and bfrange entries, as code (int) -> text."""
    text = data.decode("latin-1")
    mapping = {}

    def hex_text(h):
        raw = bytes.fromhex(h)
        return raw.decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = hex_text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, rest in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block
        ):
            lo, hi = int(lo, 16), int(hi, 16)
            if rest.startswith("["):
                for i, dst in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", rest)):
                    mapping[lo + i] = hex_text(dst)
            else:
                start = bytes.fromhex(rest[1:-1])
                base = int.from_bytes(start, "big")
                for code in range(lo, hi + 1):
                    value = (base + code - lo).to_bytes(len(start), "big")
                    mapping[code] = value.decode("utf-16-be", errors="replace")
    return mapping


def text_string(obj):
    raw = bytes(obj)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    return raw.decode("latin-1")


def marked_content(page):
    """MCID -> text of one page, ActualText honoured."""
    fonts = {}
    resources = page.obj.get("/Resources", {})
    for name, font in resources.get("/Font", {}).items():
        cmap = {}
        if "/ToUnicode" in font:
            cmap = parse_cmap(font.ToUnicode.read_bytes())
        fonts[name] = cmap
    texts = {}
    # Stack of (mcid or None, actual text or None, collected parts).
    stack = []
    current_font = {}
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            mcid, actual = None, None
            if op == "BDC" and len(operands) > 1:
                props = operands[1]
                if isinstance(props, pikepdf.Dictionary):
                    if "/MCID" in props:
                        mcid = int(props.MCID)
                    if "/ActualText" in props:
                        actual = text_string(props.ActualText)
            stack.append([mcid, actual, []])
        elif op == "EMC":
            if not stack:
                continue
            mcid, actual, parts = stack.pop()
            text = actual if actual is not None else "".join(parts)
            if mcid is not None:
                texts[mcid] = texts.get(mcid, "") + text
            elif stack:
                stack[-1][2].append(text)
        elif op == "Tf":
            current_font = fonts.get(str(operands[0]), {})
        elif op in ("Tj", "TJ", "'", '"'):
            if not stack:
                continue
            strings = []
            items = operands[0] if op == "TJ" else operands[-1:]
            for item in items:
                if isinstance(item, pikepdf.String):
                    strings.append(bytes(item))
            for raw in strings:
                for i in range(0, len(raw) - 1, 2):
                    code = int.from_bytes(raw[i : i + 2], "big")
                    stack[-1][2].append(current_font.get(code, "\ufffd"))
    return texts


def tree_text(pdf):
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return ""
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
    content = [None] * len(pdf.pages)

    def page_texts(index):
        if content[index] is None:
            content[index] = marked_content(pdf.pages[index])
        return content[index]

    out = []

    def walk(node, page_index):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, page_index)
            return
        if isinstance(node, int) or (hasattr(node, "is_integer") and node.is_integer):
            if page_index is not None:
                out.append(page_texts(page_index).get(int(node), ""))
            return
        if not isinstance(node, pikepdf.Dictionary):
            return
        if "/Pg" in node:
            page_index = pages.get(node.Pg.objgen, page_index)
        kind = node.get("/Type")
        if kind == "/MCR":
            out.append(page_texts(page_index).get(int(node.MCID), ""))
            return
        if kind == "/OBJR":
            return
        if "/ActualText" in node:
            out.append(text_string(node.ActualText))
            return
        if "/K" in node:
            walk(node.K, page_index)
        # Elements are read as blocks: a reader pauses between them.
        out.append("\n")

    walk(root.get("/K"), None)
    return "".join(out)


def main():
    path = sys.argv[1]
    doc = fitz.open(path)
    pdf = pikepdf.open(path)
    pages = page_lines(doc)
    body = [line for page in pages for line in page["lines"]]
    hyphenated = 0
    run, longest = 0, 0
    for page in pages:
        for line in page["lines"]:
            if line["text"].rstrip(" ").endswith(SOFT_HYPHEN):
                hyphenated += 1
                run += 1
                longest = max(longest, run)
            else:
                run = 0
    annotations = []
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if "/Contents" in annot:
                annotations.append(
                    {
                        "contents": text_string(annot.Contents),
                        "uri": str(annot.get("/A", {}).get("/URI", "")),
                    }
                )
    json.dump(
        {
            "plain": plain_text(doc),
            "tree": tree_text(pdf),
            "pages": pages,
            "body_lines": len(body),
            "hyphenated": hyphenated,
            "max_consecutive_hyphenated": longest,
            "annotations": annotations,
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main()
