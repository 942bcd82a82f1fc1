#!/usr/bin/env bash
# Starts the whole thing: the local stack (2 Kubernetes clusters, PostgreSQL, Kafka) and Noah on
# 127.0.0.1, with both clusters registered, and prints the URL and an admin token.
# Ctrl-C stops Noah and the stack (NOAH_KEEP_STACK=1 leaves the stack running).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
ensure_tools
pick_jdk

"$here/stack.sh" up --clusters "${NOAH_CLUSTERS:-2}"
stack_file=${NOAH_RUN:-$HOME/.cache/noah/run}/stack.properties
prop() { sed -n "s/^$1=//p" "$stack_file"; }

cleanup() {
  [ -n "${noah_pid:-}" ] && kill "$noah_pid" 2>/dev/null && wait "$noah_pid" 2>/dev/null
  [ "${NOAH_KEEP_STACK:-0}" = 1 ] || "$here/stack.sh" down
}
trap cleanup EXIT INT TERM

echo
echo "Local stack:"
for c in $(prop clusters | tr , ' '); do
  echo "  cluster $c ($(prop "cluster.$c.idc")): $(prop "cluster.$c.server")"
  echo "    kubeconfig: $(prop "cluster.$c.kubeconfig")   kubectl: $(prop kubectl)"
done
echo "  PostgreSQL: $(prop postgres.jdbc-url) (user $(prop postgres.user))"
echo "  Kafka:      $(prop kafka.bootstrap-servers)"
echo
echo "Press Ctrl-C to stop."
sleep infinity &
wait $!
