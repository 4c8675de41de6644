#include "service/file_owner.h"

namespace gg::service {

// The state folder's ACL (SYSTEM and Administrators) is what matters on
// Windows, and IsOwnerOnly checks it; an owner name adds nothing.
std::optional<FileOwnerInfo> FileOwner(const std::filesystem::path&) {
  return std::nullopt;
}

}  // namespace gg::service
