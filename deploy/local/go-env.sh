# Sourced by the build scripts: Go builds from the module proxy with the module and build caches outside the
# checkout, static binaries. Kubernetes 1.36 needs Go 1.26: the machine's go when it is new enough, else go fetches
# that toolchain from the module proxy (needs go >= 1.21 to do so).
go_env() { # cache-dir
  command -v go >/dev/null || { echo "go is required (Debian golang or the machine's go)" >&2; exit 1; }
  export GOMODCACHE="$1/go/mod" GOCACHE="$1/go/build" GOFLAGS=-mod=mod CGO_ENABLED=0
  local minor; minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
  if [ "${minor:-0}" -ge 26 ]; then export GOTOOLCHAIN=local; else export GOTOOLCHAIN=go1.26.8; fi
}
