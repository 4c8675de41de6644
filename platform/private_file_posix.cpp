#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "platform/private_file.h"
#include "platform/random.h"

namespace gg {
namespace {

tl::unexpected<Error> ErrnoError(const std::string& what,
                                 const std::filesystem::path& p) {
  return MakeError("IO", what + " " + p.string() + ": " + std::strerror(errno));
}

}  // namespace

Status EnsurePrivateDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!dir.parent_path().empty())
    std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return ErrnoError("cannot create", dir);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return ErrnoError("cannot stat", dir);
  if (!S_ISDIR(st.st_mode))
    return MakeError("IO", dir.string() + " is not a directory");
  if (st.st_uid != ::geteuid())
    return MakeError("INSECURE_FILE",
                     dir.string() + " is owned by another user");
  if ((st.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
    return ErrnoError("cannot chmod", dir);
  return Ok();
}

Status MakeFilePrivate(const std::filesystem::path& file) {
  if (::chmod(file.c_str(), 0600) != 0)
    return ErrnoError("cannot chmod", file);
  return Ok();
}

Status WritePrivateFileAtomic(const std::filesystem::path& file,
                              std::string_view data) {
  auto suffix = RandomHex(6);
  if (!suffix)
    return tl::unexpected(suffix.error());
  std::filesystem::path tmp = file;
  tmp += ".tmp-" + *suffix;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return ErrnoError("cannot create", tmp);
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      auto err = ErrnoError("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = ErrnoError("cannot fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::close(fd) != 0) {
    auto err = ErrnoError("cannot close", tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    auto err = ErrnoError("cannot rename", tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  // The rename is durable only once the directory entry is on disk.
  std::filesystem::path dir =
      file.parent_path().empty() ? "." : file.parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0)
      return ErrnoError("cannot fsync", dir);
  }
  return Ok();
}

Result<bool> IsOwnerOnly(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return ErrnoError("cannot stat", file);
  return (st.st_mode & 0077) == 0;
}

}  // namespace gg
