#!/usr/bin/env bash
# The files under Noah's application in its container image, which has no base image (no registry here but package
# registries, and nothing in it that Noah does not run): a Java runtime made by jlink from the JDK that builds Noah,
# the few glibc libraries that runtime links against (from this machine's Debian), /etc/passwd and /etc/group naming
# the non-root user 65532, and an empty /tmp (the only path Noah writes: a read-only root filesystem works).
# Usage: rootfs.sh <java-home> <out-dir>. The runtime is cached outside the checkout by JDK release and module list
# (${NOAH_CACHE:-~/.cache/noah}/image/), so a warm build copies it (about 80 MB) instead of linking it (~10 s).
set -euo pipefail
java_home=$1
out=$2
# java.se (java.beans for Spring, java.sql, java.naming, java.net.http, java.management ...), Unsafe for Netty and
# Caffeine, the JVM's own metrics (jdk.management), DNS for JNDI, Kerberos/SASL for Kafka clients, all charsets and
# locales, JFR for production diagnostics
modules=java.se,jdk.unsupported,jdk.management,jdk.management.agent,jdk.crypto.cryptoki,jdk.naming.dns,jdk.zipfs,jdk.jfr,jdk.net,jdk.security.auth,jdk.security.jgss,jdk.charsets,jdk.localedata
release=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$java_home/release")
key=$( (echo "$release $modules"; cat "$0") | sha256sum | cut -c1-16)
cache=${NOAH_CACHE:-$HOME/.cache/noah}/image/rootfs-$release-$key
if [ ! -f "$cache/.done" ]; then
  echo "[image] linking a Java $release runtime (jlink) into $cache" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  "$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress zip-6 \
    --output "$cache/opt/java"
  # the system libraries the launcher and the runtime's native libraries need, as real files (no symlinks in layers);
  # the AWT/X11 and sound libraries are never loaded by a headless server and are left out with their dependencies
  libs=$(for f in "$cache"/opt/java/bin/* $(find "$cache/opt/java/lib" -name '*.so' \
           ! -name 'libawt_xawt.so' ! -name 'libjawt.so' ! -name 'libsplashscreen.so' ! -name 'libjsound.so'); do
           ldd "$f" 2>/dev/null || true
         done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/lib64\// { print $1 }' | sort -u)
  # glibc loads libgcc_s at run time for thread cancellation and unwinding
  libs="$libs /usr/lib/x86_64-linux-gnu/libgcc_s.so.1"
  for lib in $libs; do
    case $lib in
      /tmp/*|"$cache"/*) continue ;;
      /lib64/*) dest="$cache/lib64/$(basename "$lib")" ;;
      *) dest="$cache/usr/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
    esac
    mkdir -p "$(dirname "$dest")"
    cp -L "$lib" "$dest"
  done
  mkdir -p "$cache/etc" "$cache/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnoah:x:65532:65532:noah:/tmp:/sbin/nologin\n' >"$cache/etc/passwd"
  printf 'root:x:0:\nnoah:x:65532:\n' >"$cache/etc/group"
  printf 'hosts: files dns\n' >"$cache/etc/nsswitch.conf"
  touch "$cache/.done"
fi
rm -rf "$out" && mkdir -p "$out"
cp -a "$cache/." "$out/" && rm -f "$out/.done"
echo "[image] root filesystem: $(du -sh "$out" | cut -f1) in $out (Java $release; $(ls "$out/usr/lib/x86_64-linux-gnu" | tr '\n' ' '))" >&2
