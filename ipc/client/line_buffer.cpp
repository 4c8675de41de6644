#include "ipc/client/line_buffer.h"

namespace gg::client_internal {

bool LineBuffer::Next(std::string& line) {
  const std::size_t from = scanned_ > start_ ? scanned_ : start_;
  const std::size_t nl = data_.find('\n', from);
  if (nl == std::string::npos || nl - start_ >= max_frame_) {
    // A line whose newline is past the limit is as bad as none.
    scanned_ = data_.size();
    if (start_ > 0 && start_ == data_.size()) {
      Clear();
    } else if (start_ >= 4096 && start_ * 2 >= data_.size()) {
      // Compact once the consumed part dominates: amortised O(1) per byte.
      data_.erase(0, start_);
      scanned_ -= start_;
      start_ = 0;
    }
    return false;
  }
  line.assign(data_, start_, nl - start_);
  start_ = nl + 1;
  scanned_ = start_;
  if (start_ == data_.size()) {
    Clear();
  }
  return true;
}

void LineBuffer::Clear() {
  data_.clear();
  start_ = 0;
  scanned_ = 0;
}

}  // namespace gg::client_internal
