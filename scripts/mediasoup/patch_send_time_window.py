"""The congestion-control send history in a window indexed by sequence number, not a std::map.

Why: every transport with transport-wide congestion control records each packet it sends in
libwebrtc's SendTimeHistory, a std::map keyed by the transport's own sequence number and
holding 10 s of packets (patch-worker.py shortened it from 60 s). A profile of one worker
forwarding to 300 subscribers (docs/capacity.md, "The SRTP suite a browser really costs") has
`SendTimeHistory::AddNewPacket` as the top symbol, 8.6 % of the worker, plus 1.4 % rebalancing
the tree on erase: each insert walks ~11 levels of a tree that, across hundreds of
subscribers, no cache holds, and allocates a node.

The keys are consecutive (Transport::SendRtpPacket numbers each packet it records with the next
transport-wide sequence number), so a deque of slots indexed by `key - first key` holds the
same entries: an insert appends, the oldest entry is the front, a lookup is an index. Empty
slots (a packet erased from the middle after feedback) are skipped by iteration, and the front
is trimmed of them, so `begin()` is always the oldest entry still held, as with the map.

The window offers exactly the part of std::map's interface send_time_history.cc uses (insert
without overwriting, find, erase, lower_bound, upper_bound, begin/end, empty), with the same
meaning, so the .cc is unchanged.

Every edit checks that it matched exactly once (patch-worker.py's rule).
"""

WINDOW_CLASS = """
// confer: SendTimeHistory's entries, keyed by the transport-wide sequence number, in a deque
// indexed by (key - first key) instead of a std::map (scripts/mediasoup/patch_send_time_window.py):
// keys arrive in order, so an insert appends and a lookup is an index, where the map walked a tree
// per packet. Offers the part of std::map's interface send_time_history.cc uses, with its meaning.
class SendTimeWindow {
 public:
  using Slot = std::pair<int64_t, PacketFeedback>;

  template <bool Const>
  class Iterator {
   public:
    using Slots = typename std::conditional<Const, const std::deque<Slot>, std::deque<Slot>>::type;
    using Ref = typename std::conditional<Const, const Slot&, Slot&>::type;
    using Ptr = typename std::conditional<Const, const Slot*, Slot*>::type;
    Iterator(Slots* slots, size_t index) : slots_(slots), index_(index) { Skip(); }
    Ref operator*() const { return (*slots_)[index_]; }
    Ptr operator->() const { return &(*slots_)[index_]; }
    Iterator& operator++() {
      ++index_;
      Skip();
      return *this;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }
    size_t index() const { return index_; }

   private:
    void Skip() {
      while (index_ < slots_->size() && (*slots_)[index_].first == kEmpty)
        ++index_;
    }
    Slots* slots_;
    size_t index_;
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  bool empty() const { return size_ == 0; }
  iterator begin() { return iterator(&slots_, 0); }
  iterator end() { return iterator(&slots_, slots_.size()); }
  const_iterator begin() const { return const_iterator(&slots_, 0); }
  const_iterator end() const { return const_iterator(&slots_, slots_.size()); }

  // As std::map::insert: an entry already held under that key is kept as it is.
  std::pair<iterator, bool> insert(const Slot& slot) {
    const int64_t key = slot.first;
    if (slots_.empty()) {
      first_key_ = key;
    } else if (key < first_key_) {
      // Older than everything held (never seen: keys arrive in order); made room for in front.
      slots_.insert(slots_.begin(), static_cast<size_t>(first_key_ - key), EmptySlot());
      first_key_ = key;
    }
    const size_t index = static_cast<size_t>(key - first_key_);
    if (index >= slots_.size())
      slots_.resize(index + 1, EmptySlot());
    if (slots_[index].first != kEmpty)
      return {iterator(&slots_, index), false};
    slots_[index] = slot;
    ++size_;
    return {iterator(&slots_, index), true};
  }

  iterator find(int64_t key) { return iterator(&slots_, IndexOf(key)); }
  const_iterator find(int64_t key) const { return const_iterator(&slots_, IndexOf(key)); }

  void erase(iterator it) {
    if (it == end())
      return;
    slots_[it.index()] = EmptySlot();
    --size_;
    if (size_ == 0) {
      slots_.clear();
      return;
    }
    while (slots_.front().first == kEmpty) {
      slots_.pop_front();
      ++first_key_;
    }
  }

  // The first entry whose key is not less than `key` (std::map::lower_bound).
  iterator lower_bound(int64_t key) {
    if (slots_.empty() || key <= first_key_)
      return begin();
    const int64_t index = key - first_key_;
    return iterator(&slots_, index >= static_cast<int64_t>(slots_.size()) ? slots_.size()
                                                                           : static_cast<size_t>(index));
  }
  // The first entry whose key is greater than `key` (std::map::upper_bound).
  iterator upper_bound(int64_t key) {
    return key == std::numeric_limits<int64_t>::max() ? end() : lower_bound(key + 1);
  }

 private:
  static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();
  static Slot EmptySlot() { return Slot(kEmpty, PacketFeedback(PacketFeedback::kNotReceived, 0)); }
  // The slot of `key` if an entry is held there, else slots_.size() (end).
  size_t IndexOf(int64_t key) const {
    if (slots_.empty() || key < first_key_ || key - first_key_ >= static_cast<int64_t>(slots_.size()))
      return slots_.size();
    const size_t index = static_cast<size_t>(key - first_key_);
    return slots_[index].first == kEmpty ? slots_.size() : index;
  }

  std::deque<Slot> slots_;
  int64_t first_key_ = 0;
  size_t size_ = 0;
};
"""


def _replace_once(path, old, new):
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"patch_send_time_window: {path}: expected one match of {old!r}")
    path.write_text(text.replace(old, new))


def patch(worker_dir):
    header = (worker_dir / "deps" / "libwebrtc" / "libwebrtc" / "modules" / "congestion_controller" /
              "rtp" / "send_time_history.h")
    _replace_once(
        header,
        '#include "modules/include/module_common_types_public.h"\n',
        '#include "modules/include/module_common_types_public.h"\n'
        '#include "modules/rtp_rtcp/include/rtp_rtcp_defines.h"\n',
    )
    _replace_once(header, "#include <map>\n", "#include <deque>\n#include <limits>\n#include <map>\n#include <type_traits>\n")
    _replace_once(header, "struct PacketFeedback;\n\nclass SendTimeHistory {",
                  "struct PacketFeedback;\n" + WINDOW_CLASS + "\nclass SendTimeHistory {")
    _replace_once(header, "  std::map<int64_t, PacketFeedback> history_;\n", "  SendTimeWindow history_;\n")
    return header
