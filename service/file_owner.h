// Who owns a file, for the doctor's messages and the service account it
// infers. POSIX: the owner's user name (or uid); Windows: not reported.
#ifndef GG_SERVICE_FILE_OWNER_H_
#define GG_SERVICE_FILE_OWNER_H_

#include <filesystem>
#include <optional>
#include <string>

namespace gg::service {

struct FileOwnerInfo {
  std::string name;  // user name, else the uid in decimal
  long long uid = -1;
  std::string group;  // group name, else the gid
  long long gid = -1;
};

std::optional<FileOwnerInfo> FileOwner(const std::filesystem::path& path);

}  // namespace gg::service

#endif  // GG_SERVICE_FILE_OWNER_H_
