#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok and kwokctl
# from the Go module proxy into a cache outside the checkout:
#   ${NOAH_CACHE:-~/.cache/noah}/k8s/<versions>/bin
# A warm run (stamp present and every binary there) does nothing and exits at once.
# Prints the bin directory as its last line. With --cached-only it never builds (exit 1 when not built).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=go-env.sh
source "$here/go-env.sh"

cache=${NOAH_CACHE:-$HOME/.cache/noah}
key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
out="$cache/k8s/$key"
bin="$out/bin"
stamp="$out/.stamp"
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl)
# KWOK is built with Noah's patches (deploy/local/patches/kwok-*.patch); their hash is stamped.
patches=$(ls "$here"/patches/kwok-*.patch 2>/dev/null || true)
patch_hash=$(cat $patches /dev/null | sha256sum | cut -c1-16)
kwok_stamp="$out/.kwok-patches"

complete() {
  [ -f "$stamp" ] || return 1
  [ "$(cat "$kwok_stamp" 2>/dev/null)" = "$patch_hash" ] || return 1
  for b in "${bins[@]}"; do [ -x "$bin/$b" ] || return 1; done
}
if complete; then
  echo "k8s binaries: cached in $bin ($(cat "$stamp"))" >&2
  echo "$bin"
  exit 0
fi
# --cached-only: the bin directory if the binaries are built, else fail at once (no build)
[ "${1:-}" = --cached-only ] && exit 1

go_env "$cache"
mkdir -p "$bin" "$GOMODCACHE" "$GOCACHE"
work="$out/src"
mkdir -p "$work"

log() { printf '[build-k8s %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# Print a heartbeat while a long go build runs, so a cold build shows progress, not silence.
with_progress() {
  local what=$1; shift
  local t0=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null && log "$what: still building ($((SECONDS - t0)) s, go cache $(du -sh "$GOCACHE" 2>/dev/null | cut -f1))"
  done
  wait "$pid"
  log "$what: done in $((SECONDS - t0)) s"
}

total0=$SECONDS
log "cold build of $key into $bin (go $(go env GOVERSION), $(nproc) cores); this takes a while once"

# --- Kubernetes: a tiny module that requires k8s.io/kubernetes and replaces its ./staging modules
# with their published versions (the go.mod of k8s.io/kubernetes cannot be used directly).
k8s="$work/kubernetes"
if [ ! -x "$bin/kube-apiserver" ] || [ ! -x "$bin/kubectl" ] || [ ! -x "$bin/kube-scheduler" ] || [ ! -x "$bin/kube-controller-manager" ]; then
  mkdir -p "$k8s"
  gomod=$(cd "$k8s" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  {
    echo "module noah.local/k8sbuild"
    echo
    echo "go $(sed -n 's/^go //p' "$gomod")"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$K8S_STAGING_VERSION"'#p' "$gomod"
    echo ")"
    echo
    echo "tool ("
    for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do echo "	k8s.io/kubernetes/cmd/$c"; done
    echo ")"
  } >"$k8s/go.mod"
  log "kubernetes: $(grep -c ' => ' "$k8s/go.mod") staging modules replaced; resolving dependencies"
  (cd "$k8s" && go mod tidy >&2)
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  ld=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  with_progress "kubernetes $K8S_VERSION" bash -c "cd '$k8s' && go build -trimpath -ldflags '-s -w $ld' -o '$bin/' \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
fi

# --- etcd: the server module's root is a main package; its go.mod has replace lines, so build it
# from a second tiny module.
etcd="$work/etcd"
if [ ! -x "$bin/etcd" ]; then
  mkdir -p "$etcd"
  cat >"$etcd/go.mod" <<MOD
module noah.local/etcdbuild

go 1.25

require go.etcd.io/etcd/server/v3 $ETCD_VERSION

tool go.etcd.io/etcd/server/v3
MOD
  (cd "$etcd" && go mod tidy >&2)
  with_progress "etcd $ETCD_VERSION" bash -c "cd '$etcd' && go build -trimpath -ldflags '-s -w' -o '$bin/etcd' go.etcd.io/etcd/server/v3"
fi

# --- KWOK: a third module so it cannot move the others' dependency versions.
kwok="$work/kwok"
if [ ! -x "$bin/kwok" ] || [ ! -x "$bin/kwokctl" ] || [ "$(cat "$kwok_stamp" 2>/dev/null)" != "$patch_hash" ]; then
  rm -rf "$kwok"; mkdir -p "$kwok"
  # the module's source from the proxy, with Noah's patches applied (see deploy/local/patches/)
  src=$(cd "$kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  cp -r "$src" "$kwok/kwok-src"; chmod -R u+w "$kwok/kwok-src"
  for p in $patches; do
    log "kwok: applying $(basename "$p")"
    (cd "$kwok/kwok-src" && git apply --unsafe-paths -p1 "$p")
  done
  cat >"$kwok/go.mod" <<MOD
module noah.local/kwokbuild

go 1.25

require sigs.k8s.io/kwok $KWOK_VERSION

replace sigs.k8s.io/kwok => ./kwok-src

tool (
	sigs.k8s.io/kwok/cmd/kwok
	sigs.k8s.io/kwok/cmd/kwokctl
)
MOD
  (cd "$kwok" && go mod tidy >&2)
  with_progress "kwok $KWOK_VERSION" bash -c "cd '$kwok' && go build -trimpath -ldflags '-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION' -o '$bin/' sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl"
fi

# KWOK's stage files (the "fast" node/pod lifecycles) ship in its module: keep a copy beside the binaries.
kwokdir="$kwok/kwok-src"
rm -rf "$out/kwok-kustomize"; cp -r "$kwokdir/kustomize" "$out/kwok-kustomize"; chmod -R u+w "$out/kwok-kustomize"

for b in "${bins[@]}"; do [ -x "$bin/$b" ] || { log "missing $bin/$b after build"; exit 1; }; done
echo "$patch_hash" >"$kwok_stamp"
echo "built $(date -u +%FT%TZ) in $((SECONDS - total0)) s with $(go env GOVERSION)" >"$stamp"
log "all binaries built in $((SECONDS - total0)) s"
echo "$bin"
