#!/usr/bin/env bash
# Prints the JSON body that registers a managed cluster with Noah (POST /api/v1/clusters), from the token that
# managed-cluster.yaml issued and the cluster's URL and CA in a kubeconfig:
#   deploy/kubernetes/register-cluster.sh idc-a-1 idc-a [kubeconfig] |
#     curl -XPOST -H "Authorization: Bearer $NOAH_TOKEN" -H 'Content-Type: application/json' -d @- https://noah.example/api/v1/clusters
set -euo pipefail
name=${1:?usage: register-cluster.sh <name> <idc> [kubeconfig]} idc=${2:?usage: register-cluster.sh <name> <idc> [kubeconfig]}
kc=${3:-${KUBECONFIG:-$HOME/.kube/config}}
k() { kubectl --kubeconfig "$kc" "$@"; }
server=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')
ca=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)
token=""
for _ in $(seq 1 50); do
  token=$(k -n noah-system get secret noah-token -o jsonpath='{.data.token}' 2>/dev/null | base64 -d) || true
  [ -n "$token" ] && break
  sleep 0.2
done
[ -n "$token" ] || { echo "no token in noah-system/noah-token: apply deploy/kubernetes/managed-cluster.yaml first" >&2; exit 1; }
python3 - "$name" "$idc" "$server" "$token" "$ca" <<'PY'
import json, sys
name, idc, server, token, ca = sys.argv[1:]
print(json.dumps({"name": name, "idc": idc, "server": server, "token": token, "caCertificate": ca,
                  "reason": "register " + name + " (deploy/kubernetes/register-cluster.sh)"}))
PY
