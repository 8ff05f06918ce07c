#!/usr/bin/env python3
"""Add UDP send batching to mediasoup 3.12.16's worker (opt-in, not in the default build).

Run by build-worker.sh after patch-worker.py when CONFER_MEDIASOUP_SEND_BATCH=1
(its own cache key), so the default worker's sources stay exactly as they were.

Why: perf on a worker forwarding one stream to 300 SRTP subscribers puts about a
third of its CPU in sendmsg() (docs/capacity.md). The worker sends every
datagram with its own sendmsg(); with MEDIASOUP_SEND_BATCH=1 in the worker's
environment, the patched worker queues them during one libuv loop turn and
flushes each socket's queue with sendmmsg(2) (Linux). Unset or any other value:
the upstream path, unchanged. The C++ is send-batch.cpp beside this script,
appended to src/handles/UdpSocketHandler.cpp; the upstream Send() becomes
SendDirect().

Because queued datagrams' send callbacks run after Send() has returned, the TCC
send callbacks of src/RTC/Transport.cpp (and their sender-BWE variants, not
compiled by default) capture their RtpPacketSendInfo by value instead of by
reference to a local of the sending function. Upstream's by-reference capture
already dangles whenever uv_udp_try_send() hits EAGAIN and libuv runs the
callback later; with batching off the copy is all that changes.

Usage: patch-send-batch.py WORKER_DIR   (after patch-worker.py)

Every edit checks that it matched exactly as expected, so a different mediasoup
version fails loudly here instead of producing a half-patched build.
"""

import pathlib
import sys


def die(msg):
    print(f"patch-send-batch.py: {msg}", file=sys.stderr)
    sys.exit(1)


SEND_BATCH_SOURCE = pathlib.Path(__file__).resolve().parent / "send-batch.cpp"

UDP_HPP_EDITS = [
    # (old, new): each old must occur exactly once.
    ("#include <string>\n\nclass UdpSocketHandler\n{\nprotected:",
     "#include <string>\n#include <vector>\n\n// confer: send batching (scripts/mediasoup/send-batch.cpp).\n"
     "struct UdpSendBatch;\n\nclass UdpSocketHandler\n{\n\tfriend struct UdpSendBatch;\n\nprotected:"),
    ("private:\n\tbool SetLocalAddress();\n",
     "private:\n\tbool SetLocalAddress();\n"
     "\t// confer: send batching (scripts/mediasoup/send-batch.cpp).\n"
     "\tstruct BatchResult\n\t{\n\t\tonSendCallback* cb;\n\t\tbool sent;\n\t};\n"
     "\tvoid SendDirect(\n\t  const uint8_t* data, size_t len, const struct sockaddr* addr, onSendCallback* cb);\n"
     "\tvoid SendBatched(std::vector<BatchResult>& results);\n"
     "\tvoid SendSlotViaLibuv(\n\t  const uint8_t* data,\n\t  size_t len,\n\t  const struct sockaddr* addr,\n"
     "\t  onSendCallback* cb,\n\t  std::vector<BatchResult>& results);\n"
     "\tvoid BatchSocketOpened();\n\tvoid BatchSocketClosing();\n"),
    ("\tsize_t sentBytes{ 0u };\n};\n",
     "\tsize_t sentBytes{ 0u };\n\t// confer: this socket's queued datagrams (indexes into the batch arena).\n"
     "\tstd::vector<uint32_t> batchSlots;\n};\n"),
]

UDP_CPP_EDITS = [
    # The upstream Send() becomes SendDirect(); the new Send() is in send-batch.cpp.
    ("void UdpSocketHandler::Send(\n  const uint8_t* data, size_t len, const struct sockaddr* addr, "
     "UdpSocketHandler::onSendCallback* cb)\n{",
     "void UdpSocketHandler::SendDirect(\n  const uint8_t* data, size_t len, const struct sockaddr* addr, "
     "UdpSocketHandler::onSendCallback* cb)\n{"),
    ("\t\tMS_THROW_ERROR(\"error setting local IP and port\");\n\t}\n}\n",
     "\t\tMS_THROW_ERROR(\"error setting local IP and port\");\n\t}\n\n\tBatchSocketOpened();\n}\n"),
    ("\tif (this->closed)\n\t\treturn;\n\n\tthis->closed = true;\n\n\t// Tell the UV handle",
     "\tif (this->closed)\n\t\treturn;\n\n\tBatchSocketClosing();\n\n\tthis->closed = true;\n\n\t// Tell the UV handle"),
]

# RtpPacketSendInfo (and SentInfo) by value: the callback may run after the
# sending function has returned. `mutable`: PacketSent() takes a non-const ref.
TRANSPORT_CAPTURE_EDITS = [
    ("[tccClientWeakPtr, &packetInfo, senderBweWeakPtr, &sentInfo](bool sent)\n",
     "[tccClientWeakPtr, packetInfo, senderBweWeakPtr, sentInfo](bool sent) mutable\n", 3),
    ("[tccClientWeakPtr, &packetInfo](bool sent)\n",
     "[tccClientWeakPtr, packetInfo](bool sent) mutable\n", 3),
]


def replace_once(path, text, old, new, count=1):
    n = text.count(old)
    if n != count:
        die(f"{path}: expected {count} occurrence(s) of {old[:60]!r}, found {n}")
    return text.replace(old, new)


def patch_send_batch(worker_dir):
    hpp = worker_dir / "include" / "handles" / "UdpSocketHandler.hpp"
    cpp = worker_dir / "src" / "handles" / "UdpSocketHandler.cpp"
    transport = worker_dir / "src" / "RTC" / "Transport.cpp"
    for f in (hpp, cpp, transport, SEND_BATCH_SOURCE):
        if not f.is_file():
            die(f"{f} not found")

    text = hpp.read_text()
    for old, new in UDP_HPP_EDITS:
        text = replace_once(hpp, text, old, new)
    hpp.write_text(text)

    text = cpp.read_text()
    for old, new in UDP_CPP_EDITS:
        text = replace_once(cpp, text, old, new)
    cpp.write_text(text + "\n" + SEND_BATCH_SOURCE.read_text())

    text = transport.read_text()
    for old, new, count in TRANSPORT_CAPTURE_EDITS:
        text = replace_once(transport, text, old, new, count)
    transport.write_text(text)



def main():
    if len(sys.argv) != 2:
        die("usage: patch-send-batch.py WORKER_DIR")
    patch_send_batch(pathlib.Path(sys.argv[1]))
    print("patched the UDP send path (send batching)", file=sys.stderr)


if __name__ == "__main__":
    main()
