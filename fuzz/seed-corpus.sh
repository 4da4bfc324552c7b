#!/bin/sh
# Seeds the fuzz corpus with every real source, the documented example and the broken
# sources, so that libFuzzer starts from valid summaries and known faults.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/parse_summary
for f in ../sources/*.xml ../tests/fixtures/*.xml ../tests/broken/*.xml; do
    [ -f "$f" ] && cp "$f" "corpus/parse_summary/$(basename "$(dirname "$f")")-$(basename "$f")"
done
ls corpus/parse_summary | wc -l
