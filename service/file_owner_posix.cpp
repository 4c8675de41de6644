#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include "service/file_owner.h"

namespace gg::service {

std::optional<FileOwnerInfo> FileOwner(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return std::nullopt;
  FileOwnerInfo info;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  // getpwuid/getgrgid: the doctor is single-threaded.
  const passwd* pw = ::getpwuid(st.st_uid);
  info.name = pw ? pw->pw_name : std::to_string(st.st_uid);
  const group* gr = ::getgrgid(st.st_gid);
  info.group = gr ? gr->gr_name : std::to_string(st.st_gid);
  return info;
}

}  // namespace gg::service
