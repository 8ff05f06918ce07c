#!/usr/bin/env bash
# Installs what the integration tests need to run real servers on this machine:
#   - PostgreSQL server binaries (Debian), a JRE and Maven when missing;
#   - Apache Kafka 4.4.0 and S3Proxy 4.1.0 jars from Maven Central, copied
#     into a cache dir outside the repo so that CI and restarts reuse them.
# Idempotent; a second run with everything present takes well under 2 s.
# Works unattended (CI=true, no stdin). Progress goes to stderr.
#
# Environment:
#   CONFER_CACHE_DIR  where the jars go (default: $HOME/.cache/confer)
set -euo pipefail

readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly CACHE_DIR="${CONFER_CACHE_DIR:-$HOME/.cache/confer}"
readonly KAFKA_VERSION="4.4.0"
readonly S3PROXY_VERSION="4.1.0"

log() { printf '[services/install] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# apt-get needs root; use sudo when we are not root and it is available.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root (or passwordless sudo) to run: $*"
  fi
}

# `dpkg -s` also succeeds for a removed package whose config files remain
# ("rc"), so look at the status abbreviation: "ii" means really installed.
is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == ii* ]]
}

# Collects the Debian packages that are missing, then installs them with a
# single apt-get update, so a warm machine never touches the network.
install_debian_packages() {
  local missing=()
  # The server binaries live in /usr/lib/postgresql/<major>/bin; the tests run
  # their own initdb in temp dirs, so Debian's "main" cluster is irrelevant.
  is_installed postgresql || missing+=(postgresql)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)

  if [[ ${#missing[@]} -eq 0 ]]; then
    log "debian packages: present"
    return
  fi
  log "debian packages: installing ${missing[*]}"
  # --no-upgrade: install what is missing, never upgrade what is there (an
  # already installed JDK would otherwise be upgraded along with maven).
  # Passed through env: sudo would drop an exported variable.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-upgrade \
    "${missing[@]}" </dev/null >&2
}

# Copies the runtime dependency jars of <pom> into <dest>/lib, atomically:
# they are gathered in a sibling temp dir that is renamed into place, so an
# interrupted run never leaves a half-filled lib dir that looks complete.
# A stamp with the pom's checksum makes an edited pom trigger a refresh.
fetch_jars() {
  local name="$1" pom="$2" dest="$3"
  local stamp="$dest/pom.sha256"
  local want
  want="$(sha256sum "$pom" | cut -d' ' -f1)"

  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$name: jars present in $dest/lib"
    return
  fi

  log "$name: downloading jars with maven (first run takes ~10 s)"
  mkdir -p "$(dirname "$dest")"
  local tmp
  tmp="$(mktemp -d "$dest.tmp.XXXXXX")"
  # shellcheck disable=SC2064 # expand $tmp now: it is local to this function
  trap "rm -rf '$tmp'" EXIT

  # -Dstyle.color=never: maven 3.8 prints ANSI codes even with -q -B.
  if ! mvn -q -B -Dstyle.color=never -f "$pom" \
      dependency:copy-dependencies \
      -DoutputDirectory="$tmp/lib" -DincludeScope=runtime </dev/null >"$tmp/mvn.log" 2>&1; then
    cat "$tmp/mvn.log" >&2
    die "$name: maven could not copy the jars (log above)"
  fi
  rm -f "$tmp/mvn.log"
  printf '%s\n' "$want" >"$tmp/pom.sha256"

  # A stale copy (pom changed) is moved aside first: rename cannot replace a
  # non-empty directory.
  if [[ -e "$dest" ]]; then
    local old="$dest.old.$$"
    mv "$dest" "$old"
    mv "$tmp" "$dest"
    rm -rf "$old"
  else
    mv "$tmp" "$dest"
  fi
  trap - EXIT
  log "$name: $(find "$dest/lib" -name '*.jar' | wc -l) jars in $dest/lib"
}

main() {
  local started=$SECONDS
  install_debian_packages
  fetch_jars "kafka $KAFKA_VERSION" "$SCRIPT_DIR/kafka/pom.xml" "$CACHE_DIR/kafka-$KAFKA_VERSION"
  fetch_jars "s3proxy $S3PROXY_VERSION" "$SCRIPT_DIR/s3proxy/pom.xml" "$CACHE_DIR/s3proxy-$S3PROXY_VERSION"
  log "done in $((SECONDS - started)) s (cache: $CACHE_DIR)"
}

main "$@"
