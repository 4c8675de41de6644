// Linux capabilities through the raw capget/capset system calls (version 3:
// two 32-bit words per set).
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "platform/capabilities.h"

namespace gg {
namespace {

struct Sets {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
};

tl::unexpected<Error> CapsError(const char* what) {
  return MakeError(ErrorCode::kCaps,
                   std::string(what) + ": " + std::strerror(errno));
}

Result<Sets> Get() {
  Sets s;
  if (::syscall(SYS_capget, &s.header, s.data) != 0)
    return CapsError("capget");
  return s;
}

Status Set(Sets& s) {
  s.header = {_LINUX_CAPABILITY_VERSION_3, 0};
  if (::syscall(SYS_capset, &s.header, s.data) != 0)
    return CapsError("capset");
  return Ok();
}

constexpr unsigned kWord = CAP_DAC_READ_SEARCH / 32;
constexpr __u32 kBit = 1u << (CAP_DAC_READ_SEARCH % 32);

bool Unprivileged() {
  return ::geteuid() != 0;
}

}  // namespace

Status LowerCapabilities() {
  if (!Unprivileged())
    return Ok();
  auto s = Get();
  if (!s)
    return tl::unexpected(s.error());
  for (auto& word : s->data)
    word.effective = 0;
  return Set(*s);
}

Result<bool> WithReadAnyFile(const std::function<void()>& read) {
  if (!Unprivileged()) {
    read();
    return false;
  }
  auto s = Get();
  if (!s)
    return tl::unexpected(s.error());
  bool raised = false;
  if ((s->data[kWord].permitted & kBit) != 0) {
    s->data[kWord].effective |= kBit;
    raised = static_cast<bool>(Set(*s));
  }
  read();
  if (raised) {
    s->data[kWord].effective &= ~kBit;
    if (auto lowered = Set(*s); !lowered)
      return tl::unexpected(lowered.error());
  }
  return raised;
}

Status DropAllCapabilities() {
  if (!Unprivileged())
    return Ok();
  // The ambient set must go first: it may only hold permitted bits, and is
  // what an exec would pass on.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
      errno != EINVAL)  // EINVAL: a kernel before ambient sets (< 4.3)
    return CapsError("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  Sets none;
  if (auto set = Set(none); !set)
    return set;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return CapsError("prctl(PR_SET_NO_NEW_PRIVS)");
  if (HoldsAnyCapability())
    return MakeError(ErrorCode::kCaps,
                     "capabilities are still held after dropping them");
  return Ok();
}

bool HoldsAnyCapability() {
  auto s = Get();
  if (!s)
    return true;  // cannot tell: assume the worst
  for (const auto& word : s->data) {
    if (word.permitted != 0 || word.effective != 0 || word.inheritable != 0)
      return true;
  }
  // Ambient bits are a subset of permitted ones, so none are left either.
  return false;
}

}  // namespace gg
