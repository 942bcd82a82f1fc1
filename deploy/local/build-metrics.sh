#!/usr/bin/env bash
# Builds the local metric store, VictoriaMetrics (single binary), from the Go module proxy into a cache outside
# the checkout: ${NOAH_CACHE:-~/.cache/noah}/metrics/vm-<version>/bin (about a minute cold). A warm run does nothing.
# Prints the bin directory as its last line. With --cached-only it never builds (exit 1 when not built).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=go-env.sh
source "$here/go-env.sh"

cache=${NOAH_CACHE:-$HOME/.cache/noah}
out="$cache/metrics/vm-$VICTORIAMETRICS_VERSION"
bin="$out/bin"
if [ -x "$bin/victoria-metrics" ] && [ -f "$out/.stamp" ]; then
  echo "metric store: cached in $bin ($(cat "$out/.stamp"))" >&2
  echo "$bin"
  exit 0
fi
[ "${1:-}" = --cached-only ] && exit 1
go_env "$cache"
export GOBIN="$bin"
mkdir -p "$bin"
t0=$SECONDS
echo "[build-metrics] VictoriaMetrics $VICTORIAMETRICS_VERSION from the Go module proxy (once)" >&2
go install -trimpath -ldflags "-s -w" "github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@$VICTORIAMETRICS_VERSION" >&2
echo "built $(date -u +%FT%TZ) in $((SECONDS - t0)) s with $(go env GOVERSION)" >"$out/.stamp"
echo "[build-metrics] done in $((SECONDS - t0)) s" >&2
echo "$bin"
