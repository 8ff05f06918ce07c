// Drives libwebrtc's SendTimeHistory through a long pseudo-random sequence of what a transport
// does to it (packets recorded, sent, acknowledged by feedback, aged out; sequence numbers that
// wrap; a packet older than the window now and then) and prints every answer it gives. Built
// once against upstream's std::map and once against patch_send_time_window.py's window
// (check-send-time-window.sh): the two outputs must be identical.
#include "modules/congestion_controller/rtp/send_time_history.h"
#include "modules/rtp_rtcp/include/rtp_rtcp_defines.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {
uint64_t state = 88172645463325252ull;
uint64_t Next() {  // xorshift64: the same sequence on every build
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}
int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

void Print(const char* what, const absl::optional<webrtc::PacketFeedback>& p) {
  if (!p) {
    std::printf("%s none\n", what);
    return;
  }
  std::printf("%s seq=%u long=%lld created=%lld sent=%lld size=%zu unacked=%zu\n", what, p->sequence_number,
              static_cast<long long>(p->long_sequence_number), static_cast<long long>(p->creation_time_ms),
              static_cast<long long>(p->send_time_ms), p->payload_size, p->unacknowledged_data);
}
}  // namespace

int main(int argc, char** argv) {
  const int operations = argc > 1 ? std::atoi(argv[1]) : 200000;
  state ^= argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0;
  webrtc::SendTimeHistory history(2000);
  uint16_t next_seq = 65000;  // wraps early on
  int64_t now = 1000;
  webrtc::PacedPacketInfo pacing;
  for (int i = 0; i < operations; ++i) {
    now += Below(3);
    const uint16_t recent = static_cast<uint16_t>(next_seq - 1 - Below(400));
    switch (Below(16)) {
      case 0: case 1: case 2: case 3: case 4: case 5: {  // a packet recorded, sent now or later
        const uint16_t seq = Below(50) == 0 ? static_cast<uint16_t>(next_seq + 1 + Below(3)) : next_seq;
        next_seq = static_cast<uint16_t>(seq + 1);
        webrtc::PacketFeedback p(now, webrtc::PacketFeedback::kNotReceived,
                                 Below(2) ? now : webrtc::PacketFeedback::kNoSendTime, seq,
                                 static_cast<size_t>(Below(1200)), static_cast<uint16_t>(Below(2)),
                                 static_cast<uint16_t>(Below(2)), pacing);
        history.AddNewPacket(p);
        break;
      }
      case 6: case 7:
        std::printf("sent %d\n", static_cast<int>(history.OnSentPacket(recent, now)));
        break;
      case 8: case 9: {
        webrtc::PacketFeedback p(now + 40, Below(3) == 0 ? static_cast<uint16_t>(recent - 600) : recent);
        const bool found = history.GetFeedback(&p, Below(4) == 0);
        std::printf("feedback %d\n", found);
        if (found) Print("  packet", p);
        break;
      }
      case 10:
        history.RemoveOld(now);
        break;
      case 11: case 12:
        Print("get", history.GetPacket(recent));
        break;
      case 13:
        std::printf("outstanding %lld\n",
                    static_cast<long long>(history.GetOutstandingData(static_cast<uint16_t>(Below(2)),
                                                                      static_cast<uint16_t>(Below(2))).bytes()));
        break;
      case 14: {
        auto first = history.GetFirstUnackedSendTime();
        std::printf("first-unacked %lld\n", first ? static_cast<long long>(*first) : -2ll);
        break;
      }
      case 15:
        if (Below(20) == 0) {  // a packet from before everything held
          webrtc::PacketFeedback p(now, webrtc::PacketFeedback::kNotReceived, now,
                                   static_cast<uint16_t>(next_seq - 3000 - Below(100)), 100, 0, 0, pacing);
          history.AddNewPacket(p);
        }
        history.AddUntracked(static_cast<size_t>(Below(300)), now);
        break;
    }
  }
  return 0;
}
