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
  command -v npm >/dev/null || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}

# Debian's Chromium for the browser tests (driven by playwright-core, which never downloads a browser here)
ensure_chromium() {
  if ! command -v chromium >/dev/null; then
    echo "installing chromium from Debian (browser tests)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  fi
  export NOAH_CHROMIUM=$(command -v chromium)
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

# Noah's application directory for a Boot jar, once per build in the cache: Spring Boot's extracted layout
# (noah.jar with its lib/ beside it; started from there, Noah loads its classes ~6 s faster than from the nested
# jar) and, when the build made one (noah-api's aot-cache profile, newer than the jar), the JDK AOT cache the
# build's training run wrote (noah.aot). A copy, so a rebuild never changes the files of a running Noah.
# Prints the directory; start Noah from it (its class path is relative: `-jar noah.jar`).
runnable_app() {
  local jar=$1 sum dir built memo
  # the jar's digest, remembered per path, size and modification time (hashing 120 MB takes a second)
  memo=${NOAH_CACHE:-$HOME/.cache/noah}/app/.sums/$(stat -c '%n %s %y' "$(readlink -f "$jar")" | sha256sum | cut -c1-16)
  sum=$(cat "$memo" 2>/dev/null || true)
  if [ -z "$sum" ]; then
    sum=$(sha256sum "$jar" | cut -c1-16)
    mkdir -p "${memo%/*}" && echo "$sum" >"$memo"
  fi
  dir=${NOAH_CACHE:-$HOME/.cache/noah}/app/$sum
  built=$(dirname "$jar")/app
  if [ ! -s "$dir/noah.jar" ]; then
    rm -rf "$dir.tmp.$$"
    if [ -s "$built/noah.aot" ] && [ "$built/noah.aot" -nt "$jar" ]; then
      cp -a "$built" "$dir.tmp.$$" # -a: the AOT cache checks the jars' sizes and modification times
    else
      "$JAVA_HOME/bin/java" -Djarmode=tools -jar "$jar" extract --destination "$dir.tmp.$$" --application-filename noah.jar >&2
    fi
    rm -rf "$dir" && mv "$dir.tmp.$$" "$dir"
    # keep the last few builds only
    ls -dt "${dir%/*}"/*/ 2>/dev/null | tail -n +6 | xargs -r rm -rf
    find "${memo%/*}" -type f -mtime +7 -delete 2>/dev/null || true
  fi
  echo "$dir"
}

# The AOT cache flag for Noah started from runnable_app's directory with these JVM flags: the cache is made with
# ZGC (a JVM uses a cache only with the collector it was made with, and says so in a warning otherwise).
# Measured start to both clusters' pods published: 20.5 s without it, 15.7 s with it (docs/decisions.md 45).
aot_flags() {
  local dir=$1 flags=$2
  if [ -s "$dir/noah.aot" ] && [[ " $flags " == *" -XX:+UseZGC "* ]]; then echo "-XX:AOTCache=noah.aot"; fi
}
