#!/usr/bin/env bash
# The web pages' pod table with 5,000 pods in headless Chromium, beside a plain table of the same rows (medians of
# ROUNDS rounds). Against a running Noah: the README's run command (deploy/local/dev.sh) or NOAH_URL + NOAH_TOKEN.
#   noah-api/src/bench/ui/pods-table.sh            # ROUNDS=5 PODS=5000 by default
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fe=$here/../../main/frontend
export NOAH_URL=${NOAH_URL:-http://127.0.0.1:${NOAH_PORT:-8080}}
export NOAH_TOKEN=${NOAH_TOKEN:-$(cat ~/.cache/noah/run/admin.token)}
export CHROMIUM=${CHROMIUM:-$(command -v chromium)}
[ -d "$fe/node_modules/playwright-core" ] || (cd "$fe" && npm ci --no-audit --no-fund --prefer-offline)
cd "$fe" && exec node e2e/pods-table-bench.mjs
