#!/bin/bash
# Regenerates docs/cli.md from the CLI's own option definitions (`tessera help-markdown`).
# Usage: tools/update_cli_docs.sh [path/to/tessera]   (default: build/tessera)
# tests/integration/test_cli_docs.py fails when docs/cli.md differs from this output.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/build/tessera}"
tmp="$root/docs/cli.md.tmp-tessera"
"$bin" help-markdown > "$tmp"
mv "$tmp" "$root/docs/cli.md"
echo "wrote docs/cli.md"
