#include "hwid/instance_id.h"

#include <algorithm>

#include "platform/random.h"

namespace gg::hwid {
namespace {
constexpr std::size_t kInstanceIdBytes = 16;
}  // namespace

Result<std::string> NewInstanceId() {
  return RandomHex(kInstanceIdBytes);
}

bool IsValidInstanceId(std::string_view id) {
  return id.size() == 2 * kInstanceIdBytes &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace gg::hwid
