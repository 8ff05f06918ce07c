#!/usr/bin/env bash
# Build (once, then cache) the mediasoup 3.12.16 worker against Debian's libraries.
#
#   scripts/mediasoup/build-worker.sh      # last line of stdout: absolute path of the binary
#
# Then install / run the npm package with MEDIASOUP_WORKER_BIN=<that path>: its
# postinstall skips its own build (which would download from GitHub and fail
# here), and at run time the package spawns that binary.
#
# Why: `npm install mediasoup` downloads a prebuilt worker or builds one whose
# meson subprojects come from GitHub; neither is reachable here. 3.12.16's wraps
# pin the versions Debian 12 ships, so we build against system libraries
# (patch-worker.py rewrites the meson files, and fixes a WebRtcServer bug that
# Debian's hardened abseil turns into a crash), except libsrtp2: Debian's uses NSS
# and costs about twice the CPU per packet, so we build libsrtp 2.5.0 from
# Debian's source package with OpenSSL and link it statically (falls back to
# Debian's libsrtp2 if that fails, unless CONFER_MEDIASOUP_SRTP=openssl).
#
# Environment:
#   CONFER_CACHE_DIR       cache root (default ~/.cache/confer)
#   CONFER_MEDIASOUP_SRTP  auto (default: OpenSSL build, else Debian's, with a warning)
#                          | openssl (fail rather than fall back; also replaces a
#                          cached fallback build) | system (Debian's libsrtp2)
#   CONFER_KEEP_BUILD_DIR  1: keep the temporary build directory
#   CONFER_MEDIASOUP_SEND_BATCH  1: also apply patch-send-batch.py (UDP send
#                          batching, switched on at run time by the worker's
#                          MEDIASOUP_SEND_BATCH=1); its own cache key. Opt-in
#                          until measured (docs/capacity.md).
#
# Cache: $CONFER_CACHE_DIR/mediasoup-worker-3.12.16-<hash of this script,
# patch-worker.py, patch_sender_report_trace.py and patch_send_time_window.py>/mediasoup-worker (+ build-info.txt, srtp-backend). Guarded by
# flock; built in a temporary directory and moved into place atomically.
# All progress goes to stderr; stdout carries only the final path.
set -euo pipefail

# The whole script is one brace group: bash parses it entirely before running
# it, so editing or checking out this file during a build cannot derail the run.
{

MEDIASOUP_VERSION=3.12.16
# sha256 of the npm tarball mediasoup-3.12.16.tgz (registry sha1 e3ccbc10...).
MEDIASOUP_TGZ_SHA256=80a1e21a749a0f6cb6111ea6d3ce0693efea2373a549f9694d01c1b9440b6ed5
SRTP_UPSTREAM_VERSION=2.5.0

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PATCH_SCRIPT="$SCRIPT_DIR/patch-worker.py"
KEY_FILES=("$SCRIPT_DIR/build-worker.sh" "$PATCH_SCRIPT" "$SCRIPT_DIR/patch_sender_report_trace.py" "$SCRIPT_DIR/patch_send_time_window.py")
SEND_BATCH="${CONFER_MEDIASOUP_SEND_BATCH:-0}"
case "$SEND_BATCH" in 0|1) ;; *)
	echo "build-worker.sh: CONFER_MEDIASOUP_SEND_BATCH must be 0 or 1 (got '$SEND_BATCH')" >&2
	exit 2;;
esac
# The opt-in patch's files join the key only when it is applied: editing them
# never invalidates cached default workers.
[[ "$SEND_BATCH" == 0 ]] || KEY_FILES+=("$SCRIPT_DIR/patch-send-batch.py" "$SCRIPT_DIR/send-batch.cpp")

SRTP_MODE="${CONFER_MEDIASOUP_SRTP:-auto}"
case "$SRTP_MODE" in auto|openssl|system) ;; *)
	echo "build-worker.sh: CONFER_MEDIASOUP_SRTP must be auto, openssl or system (got '$SRTP_MODE')" >&2
	exit 2;;
esac

# fd 3 = the caller's stdout (final path only); everything else to stderr.
exec 3>&1 1>&2

# An explicit Debian-libsrtp2 build gets its own key, so it never replaces the
# default (OpenSSL) one; an `auto` fallback lands in the default slot, marked.
key="$( { cat "${KEY_FILES[@]}"; [[ "$SRTP_MODE" != system ]] || echo "srtp=system"
	[[ "$SEND_BATCH" == 0 ]] || echo "send-batch=1"; } | sha256sum | cut -c1-12)"
if [[ -z "${HOME:-}" ]]; then HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"; fi
CACHE_ROOT="${CONFER_CACHE_DIR:-$HOME/.cache/confer}"
[[ "$CACHE_ROOT" == /* ]] || CACHE_ROOT="$PWD/$CACHE_ROOT"
OUT_DIR="$CACHE_ROOT/mediasoup-worker-$MEDIASOUP_VERSION-$key"
BIN="$OUT_DIR/mediasoup-worker"

# Cached binary present, and of the SRTP backend asked for?
cached_ok() {
	[[ -x "$BIN" && -f "$OUT_DIR/srtp-backend" ]] || return 1
	local backend
	backend="$(<"$OUT_DIR/srtp-backend")"
	case "$SRTP_MODE" in
		openssl) [[ "$backend" == openssl ]] ;;
		system) [[ "$backend" == system ]] ;;
		*) return 0 ;;
	esac
}
# Its shared libraries (libuv, usrsctp, abseil, OpenSSL) installed? A cache
# restored onto a fresh machine may lack them.
# (Outputs are captured before grep -q: with pipefail, grep quitting early could
# make the writer die of SIGPIPE and the pipeline report failure.)
runtime_ok() {
	local out
	out="$(ldd "$BIN" 2>&1)" || return 1
	! grep -q 'not found' <<<"$out"
}

finish() {
	if [[ "$(<"$OUT_DIR/srtp-backend")" != openssl ]]; then
		echo "[mediasoup-worker] WARNING: cached worker uses Debian's NSS-based libsrtp2 (slow SRTP);" \
			"rebuild with CONFER_MEDIASOUP_SRTP=openssl $0" >&2
	fi
	echo "$BIN" >&3
	exit 0
}

# ---- hot path ---------------------------------------------------------------
if cached_ok && runtime_ok; then finish; fi

# ---- slow path ----------------------------------------------------------------
START=$SECONDS
log() { printf '[mediasoup-worker %3ds] %s\n' "$((SECONDS - START))" "$*" >&2; }

export DEBIAN_FRONTEND=noninteractive
SUDO=()
if [[ $EUID -ne 0 ]]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n); fi
fi

APT_UPDATED=0
ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	if [[ $EUID -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
		log "missing Debian packages: ${missing[*]} (not root and no passwordless sudo)"
		return 1
	fi
	if ((APT_UPDATED == 0)); then
		log "apt-get update"
		"${SUDO[@]}" apt-get update -q </dev/null
		APT_UPDATED=1
	fi
	log "apt-get install ${missing[*]}"
	"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

# Debian's python3 (installed below) rather than whatever a version manager's shim picks.
PYTHON=/usr/bin/python3

BUILD_PKGS=(build-essential dpkg-dev python3 meson ninja-build pkg-config
	libssl-dev libuv1-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.mediasoup-worker-$MEDIASOUP_VERSION.lock"
if ! flock -n 9; then
	log "another build-worker.sh holds the lock; waiting for it"
	flock 9
fi

if cached_ok; then
	if ! runtime_ok; then
		log "cached worker lacks shared libraries; installing them"
		ensure_packages "${BUILD_PKGS[@]}"
		[[ "$(<"$OUT_DIR/srtp-backend")" == openssl ]] || ensure_packages libsrtp2-1
		runtime_ok || { ldd "$BIN" >&2; log "still missing libraries"; exit 1; }
	fi
	finish
fi

log "building mediasoup-worker $MEDIASOUP_VERSION (srtp: $SRTP_MODE) -> $OUT_DIR"
ensure_packages "${BUILD_PKGS[@]}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/confer-mediasoup-worker.XXXXXX")"
STAGING=""
cleanup() {
	local rc=$?
	[[ -n "$STAGING" && -d "$STAGING" ]] && rm -rf "$STAGING"
	if [[ "${CONFER_KEEP_BUILD_DIR:-0}" == 1 ]]; then
		log "build directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	((rc == 0)) || log "FAILED (exit $rc)"
}
trap cleanup EXIT

# ---- sources: the npm tarball holds the complete worker/ tree ---------------------
log "npm pack mediasoup@$MEDIASOUP_VERSION"
(cd "$WORK" && npm pack --silent "mediasoup@$MEDIASOUP_VERSION" </dev/null >/dev/null)
TGZ="$WORK/mediasoup-$MEDIASOUP_VERSION.tgz"
echo "$MEDIASOUP_TGZ_SHA256  $TGZ" | sha256sum -c --quiet -
tar -xzf "$TGZ" -C "$WORK"
WORKER_SRC="$WORK/package/worker"

# ---- libsrtp 2.5.0 with OpenSSL, from Debian's source package ---------------------
SRTP_PREFIX="$WORK/srtp-prefix"
SRTP_LOG="$WORK/libsrtp-build.log"

# Print "URI KEYRING" of the apt entry serving Debian's main suite (deb822
# .sources or one-line .list), so that we ask the same mirror for sources.
debian_mirror() {
	"$PYTHON" - <<'EOF'
import glob, re, sys
codename = ""
for line in open("/etc/os-release"):
    if line.startswith("VERSION_CODENAME="):
        codename = line.split("=", 1)[1].strip().strip('"')
entries = []  # (types, uris, suites, components, signed_by)
for f in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(f).read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^(deb)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s+(.*)$", line)
        if m:
            opts = dict(o.split("=", 1) for o in (m.group(2) or "").split() if "=" in o)
            entries.append(({"deb"}, [m.group(3)], [m.group(4)], m.group(5).split(), opts.get("signed-by", "")))
for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    try:
        text = open(f).read()
    except OSError:
        continue
    for stanza in re.split(r"\n\s*\n", text):
        fields, last = {}, None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and last:
                fields[last] += "\n" + line.strip()
                continue
            if ":" in line:
                k, v = line.split(":", 1)
                last = k.strip().lower()
                fields[last] = v.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        sb = fields.get("signed-by", "")
        entries.append((set(fields.get("types", "").split()), fields.get("uris", "").split(),
                        fields.get("suites", "").split(), fields.get("components", "").split(),
                        sb if sb.startswith("/") and "\n" not in sb else ""))
for types, uris, suites, comps, sb in entries:
    if "deb" in types and codename in suites and "main" in comps and uris:
        print(uris[0], sb or "-")
        sys.exit(0)
sys.exit(1)
EOF
}

build_srtp_openssl() {
	local mirror keyring apt_dir src
	read -r mirror keyring < <(debian_mirror) || { log "no Debian '$(. /etc/os-release; echo "$VERSION_CODENAME") main' apt entry found"; return 1; }
	# A private apt state holding only a deb-src entry for that mirror: the
	# machine's own apt configuration and lists are left untouched.
	apt_dir="$WORK/apt"
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$WORK/srtp-src"
	: >"$apt_dir/sources.list"
	{
		echo "Types: deb-src"
		echo "URIs: $mirror"
		echo "Suites: $(. /etc/os-release; echo "$VERSION_CODENAME")"
		echo "Components: main"
		[[ "$keyring" == - ]] || echo "Signed-By: $keyring"
	} >"$apt_dir/sources.list.d/confer-deb-src.sources"
	local apt_opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list"
		-o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o "APT::Sandbox::User=root")
	log "libsrtp2: apt-get source from $mirror (private apt state)"
	apt-get "${apt_opts[@]}" update </dev/null >>"$SRTP_LOG" 2>&1 || { log "apt-get update (deb-src) failed"; return 1; }
	(cd "$WORK/srtp-src" && apt-get "${apt_opts[@]}" source libsrtp2 </dev/null) >>"$SRTP_LOG" 2>&1 \
		|| { log "apt-get source libsrtp2 failed"; return 1; }
	src="$(find "$WORK/srtp-src" -mindepth 1 -maxdepth 1 -type d -name 'libsrtp2-*' | sed -n 1p)"
	[[ "$src" == */libsrtp2-"$SRTP_UPSTREAM_VERSION" ]] \
		|| { log "unexpected libsrtp2 source '${src:-none}' (want $SRTP_UPSTREAM_VERSION)"; return 1; }
	log "libsrtp2: configure --enable-openssl && make"
	(
		cd "$src" &&
		CFLAGS="-O2 -fPIC" ./configure --prefix="$SRTP_PREFIX" --enable-openssl &&
		make -j"$(nproc)" libsrtp2.a &&
		make install
	) </dev/null >>"$SRTP_LOG" 2>&1 || { log "libsrtp2 build failed"; return 1; }
	# It really uses OpenSSL's EVP ciphers, and pkg-config finds it.
	local syms
	syms="$(nm "$SRTP_PREFIX/lib/libsrtp2.a" 2>/dev/null)" || true
	grep -q ' U EVP_EncryptInit_ex' <<<"$syms" || { log "libsrtp2.a does not use OpenSSL"; return 1; }
	PKG_CONFIG_PATH="$SRTP_PREFIX/lib/pkgconfig" pkg-config --exists libsrtp2 \
		|| { log "pkg-config cannot find the libsrtp2 build"; return 1; }
	[[ -f "$SRTP_PREFIX/include/srtp2/srtp.h" ]] || { log "srtp.h not installed"; return 1; }
	return 0
}

SRTP_BACKEND=system
if [[ "$SRTP_MODE" != system ]]; then
	if build_srtp_openssl; then
		SRTP_BACKEND=openssl
	elif [[ "$SRTP_MODE" == openssl ]]; then
		tail -n 40 "$SRTP_LOG" >&2 || true
		exit 1
	else
		tail -n 20 "$SRTP_LOG" >&2 || true
		log "WARNING: falling back to Debian's libsrtp2 (NSS crypto, ~2x slower SRTP)"
	fi
fi

if [[ "$SRTP_BACKEND" == openssl ]]; then
	export PKG_CONFIG_PATH="$SRTP_PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
	"$PYTHON" "$PATCH_SCRIPT" "$WORKER_SRC" --srtp-include "$SRTP_PREFIX/include/srtp2" --srtp-static
else
	ensure_packages libsrtp2-dev
	"$PYTHON" "$PATCH_SCRIPT" "$WORKER_SRC" --srtp-include /usr/include/srtp2
fi
[[ "$SEND_BATCH" == 0 ]] || "$PYTHON" "$SCRIPT_DIR/patch-send-batch.py" "$WORKER_SRC"

# ---- build ------------------------------------------------------------------------
log "meson setup"
(cd "$WORKER_SRC" && meson setup "$WORK/build" \
	--buildtype=release -Db_ndebug=true -Db_pie=true -Db_staticpic=true \
	--wrap-mode=nodownload </dev/null)
log "ninja mediasoup-worker (a few minutes on 2 cores; [n/m] = progress)"
ninja -C "$WORK/build" mediasoup-worker </dev/null
BUILT="$WORK/build/mediasoup-worker"

# ---- checks -------------------------------------------------------------------------
[[ -x "$BUILT" ]] || { log "no binary produced"; exit 1; }
LDD_OUT="$(ldd "$BUILT")"
if grep -q 'not found' <<<"$LDD_OUT"; then echo "$LDD_OUT" >&2; log "unresolved libraries"; exit 1; fi
if [[ "$SRTP_BACKEND" == openssl ]] && grep -q libsrtp2 <<<"$LDD_OUT"; then
	log "worker links a shared libsrtp2 instead of the static OpenSSL build"; exit 1
fi
# Started outside Node it must refuse to run (no channel fds) with this message.
RUN_OUT="$(cd "$WORK" && "$BUILT" </dev/null 2>&1)" || true
if ! grep -q "real father" <<<"$RUN_OUT"; then
	echo "$RUN_OUT" >&2; log "worker does not start"; exit 1
fi

# ---- install into the cache atomically ----------------------------------------------
STAGING="$(mktemp -d "$CACHE_ROOT/.staging-mediasoup-worker.XXXXXX")"
cp "$BUILT" "$STAGING/mediasoup-worker"
chmod 755 "$STAGING" "$STAGING/mediasoup-worker"
{
	echo "mediasoup $MEDIASOUP_VERSION worker, built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - START)) s"
	echo "cache key: $key"
	echo "srtp: $SRTP_BACKEND"
	echo "send batching patch: $SEND_BATCH"
	echo "meson: $(meson --version)  compiler: $(c++ --version | sed -n 1p)"
	dpkg-query -W libssl-dev libuv1-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev 2>/dev/null || true
	echo "ldd:"
	ldd "$BUILT"
} >"$STAGING/build-info.txt"
echo "$SRTP_BACKEND" >"$STAGING/srtp-backend"
rm -rf "$OUT_DIR"
mv -T "$STAGING" "$OUT_DIR"
STAGING=""
log "done: $BIN ($(du -h "$BIN" | cut -f1), srtp: $SRTP_BACKEND)"
finish
exit 1  # not reached: finish exits
}
