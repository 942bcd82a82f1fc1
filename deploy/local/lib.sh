# Shared by the dev and test commands: JDK choice and Maven.
pick_jdk() {
  local j
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 $(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*-21-* /usr/lib/jvm/*21* 2>/dev/null); do
    if [ -x "$j/bin/javac" ]; then
      export JAVA_HOME=$j PATH="$j/bin:$PATH"
      echo "using JDK $("$j/bin/java" -version 2>&1 | head -n 1) from $j" >&2
      return 0
    fi
  done
  echo "no JDK 21+ under /usr/lib/jvm: install one (e.g. apt-get install openjdk-21-jdk-headless)" >&2
  return 1
}

ensure_tools() {
  local missing=()
  command -v mvn >/dev/null || missing+=(maven)
  command -v go >/dev/null || missing+=(golang)
  command -v curl >/dev/null || missing+=(curl)
  command -v pg_createcluster >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}

# schemathesis (PyPI) for the API contract test, in a virtualenv cached outside the checkout
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  local venv=${NOAH_CACHE:-$HOME/.cache/noah}/schemathesis
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $venv" >&2
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >&2; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
      python3 -m venv "$venv" >&2
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
  fi
  export NOAH_SCHEMATHESIS=$venv/bin/schemathesis
}

# The Boot jar, extracted once per build into the cache (Spring Boot's own layout: the application jar with its
# lib/ beside it). Started from there, Noah loads its classes ~6 s faster than from the nested jar; the content
# is the packaged jar's. Prints the path of the jar to run.
runnable_jar() {
  local jar=$1 sum dir
  sum=$(sha256sum "$jar" | cut -c1-16)
  dir=${NOAH_CACHE:-$HOME/.cache/noah}/app/$sum
  if [ ! -s "$dir/$(basename "$jar")" ]; then
    rm -rf "$dir.tmp"
    "$JAVA_HOME/bin/java" -Djarmode=tools -jar "$jar" extract --destination "$dir.tmp" >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    # keep the last few builds only
    ls -dt "${dir%/*}"/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
  fi
  echo "$dir/$(basename "$jar")"
}

# JDK 25's AOT cache (JEP 483/514): later starts of the same build read what an earlier one loaded and linked
# (~40% faster start: measured 18 s → 10 s). Recording slows the start it happens in, so the first start of a build
# records nothing, the second records (the cache is written when Noah exits) and the ones after read it. One cache
# per build and JVM flags.
aot_flags() {
  local app_jar=$1 flags=$2 cache
  cache="${app_jar%/*}/noah-$(echo "$flags" | sha256sum | cut -c1-8).aot"
  if [ -s "$cache" ]; then
    echo "-XX:AOTCache=$cache"
  elif [ -e "$cache.started" ]; then
    echo "-XX:AOTCacheOutput=$cache"
  else
    touch "$cache.started"
  fi
}
