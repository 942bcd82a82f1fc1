#!/usr/bin/env bash
# Builds helm (the chart's lint/template/install checks, and for users without one) from the Go module proxy into a
# cache outside the checkout: ${NOAH_CACHE:-~/.cache/noah}/helm/helm-<version>/bin (a few minutes cold). A warm run
# does nothing. Prints the bin directory as its last line. With --cached-only it never builds (exit 1 when not built).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=go-env.sh
source "$here/go-env.sh"

cache=${NOAH_CACHE:-$HOME/.cache/noah}
out="$cache/helm/helm-$HELM_VERSION"
bin="$out/bin"
if [ -x "$bin/helm" ] && [ -f "$out/.stamp" ]; then
  echo "helm: cached in $bin ($(cat "$out/.stamp"))" >&2
  echo "$bin"
  exit 0
fi
[ "${1:-}" = --cached-only ] && exit 1
go_env "$cache"
export GOBIN="$bin"
mkdir -p "$bin"
t0=$SECONDS
echo "[build-helm] helm $HELM_VERSION from the Go module proxy (once)" >&2
# stamped as helm's own Makefile stamps a release: its version, and the Kubernetes version `helm template` and
# `helm lint` assume (client-go's minor + 1.x; unstamped it is 1.20, which fails a chart's kubeVersion)
mod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
client_go=$(sed -n 's#^[[:space:]]*k8s.io/client-go v\([0-9]*\)\.\([0-9]*\)\..*#\1 \2#p' "$mod" | head -n 1)
k8s_major=$(( ${client_go% *} + 1 )) k8s_minor=${client_go#* }
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags="$ldflags -X $pkg.k8sVersionMajor=$k8s_major -X $pkg.k8sVersionMinor=$k8s_minor"
done
go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
echo "built $(date -u +%FT%TZ) in $((SECONDS - t0)) s with $(go env GOVERSION)" >"$out/.stamp"
echo "[build-helm] done in $((SECONDS - t0)) s" >&2
echo "$bin"
