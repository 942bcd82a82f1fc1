#!/usr/bin/env bash
# Builds the local metric store, VictoriaMetrics (single binary), and metrics-server (the Kubernetes resource metrics
# API, for the Kubernetes HPA) from the Go module proxy into a cache outside the checkout:
# ${NOAH_CACHE:-~/.cache/noah}/metrics/vm-<version>-ms-<version>/bin (a few minutes cold). A warm run does nothing.
# Prints the bin directory as its last line. With --cached-only it never builds (exit 1 when not built).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=go-env.sh
source "$here/go-env.sh"

cache=${NOAH_CACHE:-$HOME/.cache/noah}
out="$cache/metrics/vm-$VICTORIAMETRICS_VERSION-ms-$METRICS_SERVER_VERSION"
bin="$out/bin"
if [ -x "$bin/victoria-metrics" ] && [ -x "$bin/metrics-server" ] && [ -d "$out/metrics-server-manifests" ] && [ -f "$out/.stamp" ]; then
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
echo "[build-metrics] metrics-server $METRICS_SERVER_VERSION from the Go module proxy (once)" >&2
# the version stamped as its release build does (kwokctl reads it from --version)
go install -trimpath -ldflags "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
  "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION" >&2
# its manifests (APIService, RBAC, Service: a kustomization) for kwokctl, from the same module
rm -rf "$out/metrics-server-manifests"
cp -r "$GOMODCACHE/sigs.k8s.io/metrics-server@$METRICS_SERVER_VERSION/manifests" "$out/metrics-server-manifests"
chmod -R u+w "$out/metrics-server-manifests"
echo "built $(date -u +%FT%TZ) in $((SECONDS - t0)) s with $(go env GOVERSION)" >"$out/.stamp"
echo "[build-metrics] done in $((SECONDS - t0)) s" >&2
echo "$bin"
