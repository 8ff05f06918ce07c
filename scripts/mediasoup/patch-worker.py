#!/usr/bin/env python3
"""Patch mediasoup 3.12.16's worker to build against Debian's libraries.

Upstream builds every dependency as a meson subproject downloaded from the
network. This machine has no such access, but Debian 12 ships the very versions
the wraps pin, so we replace each `subproject(...)` with a system
`dependency(...)` found through pkg-config:

  * every `<x>_proj.get_variable('<name>_dep')` becomes a plain `<name>_dep`
    variable, defined once in worker/meson.build (before
    `subdir('deps/libwebrtc')`) and reused by deps/libwebrtc/meson.build;
  * the `link_whole` of subproject libraries is dropped (only the non-default
    library target used it);
  * the test/fuzzer targets (they need catch2) and the catch2 subproject go;
  * `meson_version` is relaxed to >= 1.0.0 (Debian 12 has meson 1.0.1).

libsrtp2 is either a private static build (OpenSSL crypto, much faster than
Debian's NSS-based one) or Debian's shared library; its headers live in an
`srtp2/` sub-directory and mediasoup includes `<srtp.h>`, so that directory
rides on the dependency.

Source fix (src/RTC/WebRtcServer.cpp): ~WebRtcServer() iterates its
absl::flat_hash_set of WebRtcTransports while each transport, being deleted,
erases itself from that very set. Upstream's own abseil build lets that
undefined behaviour pass silently; Debian's abseil is built with
ABSL_OPTION_HARDENED=1 and traps (the worker dies of SIGILL) whenever a
WebRtcServer is closed with live WebRtcTransports (mediasoup's own test
"router.createWebRtcTransport() with webRtcServer succeeds and webRtcServer is
closed"). We iterate over a copy instead, and close the transports before the
sockets they may still send a DTLS close alert through (upstream fixed both
later, in 3.14.x).

Memory fix (deps/libwebrtc/.../transport_feedback_adapter.cc): every
transport with transport-wide congestion control keeps a send-time entry per
packet sent for kSendTimeHistoryWindowMs, feedback or not: 60 s upstream,
~1.4 MiB per 1.5 Mbit/s subscriber at steady state (docs/capacity.md, "Memory
per subscriber"). Feedback comes every 50-100 ms and is useless seconds later,
so we keep 10 s: ~0.25 MiB per such subscriber.

Send history (patch_send_time_window.py): that history is kept in a deque indexed
by sequence number instead of a std::map, whose insert per packet per subscriber
was the worker's top symbol in the forwarding profile.

Sender reports (patch_sender_report_trace.py): consumers can trace the
producer's own RTCP sender reports ("sr"), which recordings use to place audio
and video by the sender's capture clock.

Usage: patch-worker.py WORKER_DIR --srtp-include DIR [--srtp-static]

Every edit checks that it matched exactly as expected, so a different
mediasoup version fails loudly here instead of producing a half-patched build.
"""

import argparse
import pathlib
import re
import sys

import patch_send_time_window
import patch_sender_report_trace

MARKER = "# confer: patched for system dependencies"


def die(msg):
    print(f"patch-worker.py: {msg}", file=sys.stderr)
    sys.exit(1)


def sub_exact(pattern, repl, text, count, what, flags=0):
    new, n = re.subn(pattern, repl, text, flags=flags)
    if n != count:
        die(f"{what}: expected {count} match(es), found {n}")
    return new


def meson_str(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


# Subprojects the worker uses on Linux (wingetopt, Windows only, goes with its
# whole `if host_machine.system() == 'windows'` block).
SUBPROJECTS = ["openssl", "nlohmann_json", "libuv", "libsrtp2", "usrsctp",
               "abseil-cpp", "catch2"]


def system_deps_block(srtp_include, srtp_static):
    static = "true" if srtp_static else "false"
    return f"""{MARKER}
openssl_dep = dependency('openssl')
nlohmann_json_dep = dependency('nlohmann_json')
libuv_dep = dependency('libuv')
libsrtp2_dep = declare_dependency(
  dependencies: dependency('libsrtp2', static: {static}),
  include_directories: include_directories({meson_str(srtp_include)}),
)
usrsctp_dep = dependency('usrsctp')
absl_container_dep = declare_dependency(
  dependencies: [
    dependency('absl_flat_hash_map'),
    dependency('absl_flat_hash_set'),
  ],
)
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(
  dependencies: [
    dependency('absl_optional'),
    dependency('absl_variant'),
  ],
)
"""


def remove_subproject(text, name, count):
    # `<var> = subproject('<name>', default_options: [ ... ],)`: no nested parens.
    pattern = r"^\w+\s*=\s*subproject\(\s*'" + re.escape(name) + r"'[^()]*\)\s*\n"
    return sub_exact(pattern, "", text, count, f"subproject('{name}')", re.M)


def replace_get_variable(text):
    # `<x>_proj.get_variable('<name>_dep')` -> `<name>_dep`
    return re.sub(r"\b\w+_proj\.get_variable\('(\w+_dep)'\)", r"\1", text)


def patch_top(path, srtp_include, srtp_static):
    text = path.read_text()
    if MARKER in text:
        die(f"{path} is already patched (run on a fresh copy)")

    text = sub_exact(r"meson_version:\s*'>=\s*1\.1\.0'", "meson_version: '>= 1.0.0'",
                     text, 1, "meson_version")

    # Test and fuzzer targets need catch2 / libFuzzer: cut everything from the
    # test sources on (it is the tail of the file, after the worker executable).
    idx = text.find("\ntest_sources = [")
    if idx < 0:
        die("test_sources block not found")
    tail = text[idx:]
    if "executable(\n  'mediasoup-worker'," in tail or "library(" in tail:
        die("unexpected targets after test_sources")
    text = text[:idx + 1]

    text = sub_exact(r"^if host_machine\.system\(\) == 'windows'\n  wingetopt_proj = .*?^endif\n",
                     "", text, 1, "windows wingetopt block", re.M | re.S)

    for name in SUBPROJECTS:
        text = remove_subproject(text, name, 1)

    text = sub_exact(r"^(libwebrtc_include_directories\s*=)",
                     system_deps_block(srtp_include, srtp_static) + r"\1",
                     text, 1, "insertion point before libwebrtc", re.M)

    # Only the (not built by default) library target uses link_whole: keep the
    # in-tree libwebrtc, drop the subprojects' static libraries.
    text = sub_exact(r"^link_whole = \[\n(?:  .*\n)*?\]\n",
                     "link_whole = [\n  libwebrtc,\n]\n", text, 1,
                     "link_whole list", re.M)

    text = replace_get_variable(text)
    check_clean(path, text)
    path.write_text(text)


def patch_libwebrtc(path):
    text = path.read_text()
    if MARKER in text:
        die(f"{path} is already patched (run on a fresh copy)")
    text = remove_subproject(text, "abseil-cpp", 1)
    text = replace_get_variable(text)
    text = MARKER + "\n" + text
    check_clean(path, text)
    path.write_text(text)


def check_clean(path, text):
    # Nothing may still refer to a subproject, or meson would try (and, with
    # --wrap-mode=nodownload, fail) to fetch it.
    for lineno, line in enumerate(text.splitlines(), 1):
        if "subproject(" in line or "_proj." in line:
            die(f"{path}:{lineno}: leftover subproject reference: {line.strip()}")


WEBRTC_SERVER_DTOR_OLD = """\
\t\tthis->shared->channelMessageRegistrator->UnregisterHandler(this->id);

\t\tfor (auto& item : this->udpSocketOrTcpServers)
\t\t{
\t\t\tdelete item.udpSocket;
\t\t\titem.udpSocket = nullptr;

\t\t\tdelete item.tcpServer;
\t\t\titem.tcpServer = nullptr;
\t\t}
\t\tthis->udpSocketOrTcpServers.clear();

\t\tfor (auto* webRtcTransport : this->webRtcTransports)
\t\t{
\t\t\twebRtcTransport->ListenServerClosed();
\t\t}
\t\tthis->webRtcTransports.clear();
\t}
"""

WEBRTC_SERVER_DTOR_NEW = """\
\t\tthis->shared->channelMessageRegistrator->UnregisterHandler(this->id);

\t\t// confer: close the WebRtcTransports first (they may still send a DTLS
\t\t// close alert through our sockets), iterating over a copy of the set:
\t\t// each transport, once deleted, erases itself from this->webRtcTransports
\t\t// (OnWebRtcTransportClosed()), which would invalidate a live iterator.
\t\tconst std::vector<RTC::WebRtcTransport*> webRtcTransports(
\t\t  this->webRtcTransports.begin(), this->webRtcTransports.end());

\t\tfor (auto* webRtcTransport : webRtcTransports)
\t\t{
\t\t\twebRtcTransport->ListenServerClosed();
\t\t}
\t\tthis->webRtcTransports.clear();

\t\tfor (auto& item : this->udpSocketOrTcpServers)
\t\t{
\t\t\tdelete item.udpSocket;
\t\t\titem.udpSocket = nullptr;

\t\t\tdelete item.tcpServer;
\t\t\titem.tcpServer = nullptr;
\t\t}
\t\tthis->udpSocketOrTcpServers.clear();
\t}
"""


def patch_webrtc_server(path):
    text = path.read_text()
    if text.count(WEBRTC_SERVER_DTOR_OLD) != 1:
        die(f"{path}: ~WebRtcServer() body not found as expected")
    path.write_text(text.replace(WEBRTC_SERVER_DTOR_OLD, WEBRTC_SERVER_DTOR_NEW))


SEND_TIME_HISTORY_OLD = "const int64_t kSendTimeHistoryWindowMs = 60000;\n"
SEND_TIME_HISTORY_NEW = (
    "// confer: 10 s, not 60 s: an entry per packet sent is kept this long, feedback\n"
    "// or not (~1.4 MiB per 1.5 Mbit/s subscriber at 60 s); feedback comes every\n"
    "// 50-100 ms.\n"
    "const int64_t kSendTimeHistoryWindowMs = 10000;\n"
)


def patch_send_time_history(path):
    text = path.read_text()
    if text.count(SEND_TIME_HISTORY_OLD) != 1:
        die(f"{path}: kSendTimeHistoryWindowMs not found as expected")
    path.write_text(text.replace(SEND_TIME_HISTORY_OLD, SEND_TIME_HISTORY_NEW))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("worker_dir", type=pathlib.Path)
    ap.add_argument("--srtp-include", required=True,
                    help="directory holding srtp.h (e.g. /usr/include/srtp2)")
    ap.add_argument("--srtp-static", action="store_true",
                    help="link libsrtp2 statically (private OpenSSL build)")
    args = ap.parse_args()

    top = args.worker_dir / "meson.build"
    webrtc = args.worker_dir / "deps" / "libwebrtc" / "meson.build"
    for f in (top, webrtc):
        if not f.is_file():
            die(f"{f} not found")
    server = args.worker_dir / "src" / "RTC" / "WebRtcServer.cpp"
    if not server.is_file():
        die(f"{server} not found")
    adapter = (args.worker_dir / "deps" / "libwebrtc" / "libwebrtc" / "modules" /
               "congestion_controller" / "rtp" / "transport_feedback_adapter.cc")
    if not adapter.is_file():
        die(f"{adapter} not found")
    patch_top(top, args.srtp_include, args.srtp_static)
    patch_libwebrtc(webrtc)
    patch_webrtc_server(server)
    patch_send_time_history(adapter)
    window = patch_send_time_window.patch(args.worker_dir)
    traced = patch_sender_report_trace.patch(args.worker_dir)
    print(f"patched {top}, {webrtc}, {server}, {adapter}, {window} and {len(traced)} files for the 'sr' trace",
          file=sys.stderr)


if __name__ == "__main__":
    main()
