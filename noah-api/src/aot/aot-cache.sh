#!/usr/bin/env bash
# Run by noah-api's build (profile aot-cache): the Boot jar extracted into Spring Boot's layout (noah.jar with
# lib/ beside it) and a JDK AOT cache (JEP 483/514) from a training run that refreshes the application context
# and exits before anything starts (no database, cluster or broker is needed; the database settings only let
# Hibernate and the pool start without one; noah.aot-training also loads the cluster and Kafka clients, see
# io.noah.api.config.AotTraining). Skipped while the cache is newer than the jar.
# Usage: aot-cache.sh <java> <boot jar> <app dir>
set -euo pipefail
java=$1 jar=$2 app=$3
if [ -s "$app/noah.aot" ] && [ "$app/noah.aot" -nt "$jar" ] && [ -s "$app/noah.jar" ]; then
  echo "AOT cache up to date: $app/noah.aot"
  exit 0
fi
t0=$SECONDS
rm -rf "$app"
"$java" -Djarmode=tools -jar "$jar" extract --destination "$app" --application-filename noah.jar
log=$(dirname "$app")/aot-training.log
# ZGC, as the run command and the chart start Noah: a JVM uses a cache only with the collector it was made with.
# A relative class path (noah.jar from its own directory): the cache stays valid wherever the directory is copied.
if ! (cd "$app" && "$java" -XX:+UseZGC -XX:AOTCacheOutput=noah.aot -Dspring.context.exit=onRefresh -jar noah.jar \
      --spring.flyway.enabled=false --spring.jpa.hibernate.ddl-auto=none \
      --spring.jpa.database-platform=org.hibernate.dialect.PostgreSQLDialect \
      --spring.jpa.properties.hibernate.boot.allow_jdbc_metadata_access=false \
      --spring.datasource.url=jdbc:postgresql://127.0.0.1:9/aot-training \
      --spring.datasource.hikari.initialization-fail-timeout=-1 \
      --noah.encryption.key=YW90LXRyYWluaW5nLW9ubHktbmV2ZXItdXNlZC0xMjM= --noah.aot-training=true) >"$log" 2>&1 || [ ! -s "$app/noah.aot" ]; then
  tail -n 40 "$log" >&2
  echo "the AOT training run failed (log: $log)" >&2
  exit 1
fi
for what in "cluster clients" "Kafka clients"; do
  grep -q "AOT training: $what exercised" "$log" || { grep -A20 "AOT training" "$log" >&2; echo "AOT training: $what not exercised (log: $log)" >&2; exit 1; }
done
echo "AOT cache: $app/noah.aot ($(du -m "$app/noah.aot" | cut -f1) MB) in $((SECONDS - t0)) s"
