#!/bin/sh
# Seeds the fuzz corpora: for parse_summary every real source, the documented example and
# the broken sources; for import_text the plain-text seeds. libFuzzer then starts from valid
# input and known faults.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/parse_summary
for f in ../sources/*.xml ../tests/fixtures/*.xml ../tests/broken/*.xml; do
    [ -f "$f" ] && cp "$f" "corpus/parse_summary/$(basename "$(dirname "$f")")-$(basename "$f")"
done
ls corpus/parse_summary | wc -l
mkdir -p corpus/import_text
for f in ../tests/fixtures/seeds/*.txt; do
    [ -f "$f" ] && cp "$f" "corpus/import_text/$(basename "$f")"
done
ls corpus/import_text | wc -l
