// Internal to libggclient: the agent's byte stream cut into lines, with the
// spec's frame limit (65,536 bytes with the newline) enforced on this side
// too, and each byte scanned for a newline once (issue 16 point 4: a stream
// with no newline grew without bound and was rescanned for every chunk).
#ifndef GG_IPC_CLIENT_LINE_BUFFER_H_
#define GG_IPC_CLIENT_LINE_BUFFER_H_

#include <cstddef>
#include <string>

namespace gg::client_internal {

inline constexpr std::size_t kMaxFrameBytes = 65536;

class LineBuffer {
 public:
  explicit LineBuffer(std::size_t max_frame = kMaxFrameBytes)
      : max_frame_(max_frame) {}

  // Where a transport appends what it read.
  std::string& Input() { return data_; }
  // The next whole line (without its newline) into `line`: true. False when
  // there is none yet; then Overflow() says whether the partial line is
  // already over the limit (the connection must be dropped).
  bool Next(std::string& line);
  bool Overflow() const { return data_.size() - start_ >= max_frame_; }
  bool Empty() const { return start_ == data_.size(); }
  void Clear();

 private:
  std::size_t max_frame_;
  std::string data_;
  std::size_t start_ = 0;    // first byte not yet returned
  std::size_t scanned_ = 0;  // bytes before this hold no newline
};

}  // namespace gg::client_internal

#endif  // GG_IPC_CLIENT_LINE_BUFFER_H_
