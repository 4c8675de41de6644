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
  return MakeError(ErrorCode::kIo,
                   what + " " + p.string() + ": " + std::strerror(errno));
}

}  // namespace

Status EnsurePrivateDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!dir.parent_path().empty())
    std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return ErrnoError("cannot create", dir);
  // Checked and tightened through one descriptor, so what is checked is
  // what is changed (no link followed, no swap in between).
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR)
      return MakeError(ErrorCode::kInsecureFile,
                       dir.string() + " is not a directory (or is a link)");
    return ErrnoError("cannot open", dir);
  }
  struct stat st {};
  Status result = Ok();
  if (::fstat(fd, &st) != 0)
    result = ErrnoError("cannot stat", dir);
  else if (st.st_uid != ::geteuid())
    result = MakeError(ErrorCode::kInsecureFile,
                       dir.string() + " is owned by uid " +
                           std::to_string(st.st_uid) + ", not by this user (" +
                           std::to_string(::geteuid()) + ")");
  else if ((st.st_mode & 022) != 0)
    // Others could have put links or files of their own in it already:
    // tightening it now would not make its contents ours.
    result = MakeError(ErrorCode::kInsecureFile,
                       dir.string() + " is writable by group or others");
  else if ((st.st_mode & 07777) != 0700 && ::fchmod(fd, 0700) != 0)
    result = ErrnoError("cannot chmod", dir);
  ::close(fd);
  return result;
}

Status MakeFilePrivate(const std::filesystem::path& file) {
  // O_NOFOLLOW: a link planted at `file` must not re-mode its target.
  int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      return MakeError(ErrorCode::kInsecureFile, file.string() + " is a link");
    return ErrnoError("cannot open", file);
  }
  struct stat st {};
  Status result = Ok();
  if (::fstat(fd, &st) != 0)
    result = ErrnoError("cannot stat", file);
  else if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
    result = MakeError(ErrorCode::kInsecureFile,
                       file.string() + " is not a regular file of this user");
  else if ((st.st_mode & 07777) != 0600 && ::fchmod(fd, 0600) != 0)
    result = ErrnoError("cannot chmod", file);
  ::close(fd);
  return result;
}

Result<FileKind> InspectOwnFile(const std::filesystem::path& file,
                                std::string* why) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return FileKind::kAbsent;
    return ErrnoError("cannot stat", file);
  }
  std::string problem;
  if (S_ISLNK(st.st_mode))
    problem = "a symbolic link";
  else if (!S_ISREG(st.st_mode))
    problem = "not a regular file";
  else if (st.st_uid != ::geteuid())
    problem = "owned by uid " + std::to_string(st.st_uid);
  else if (st.st_nlink != 1)
    problem = "a hard link to another name";
  if (problem.empty())
    return FileKind::kOwnRegular;
  if (why != nullptr)
    *why = problem;
  return FileKind::kOther;
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

Status OverwriteFileRange(const std::filesystem::path& file,
                          std::uint64_t offset,
                          std::string_view data) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return ErrnoError("cannot open", file);
  Status result = Ok();
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    result = ErrnoError("cannot stat", file);
  } else if (!S_ISREG(st.st_mode) ||
             static_cast<std::uint64_t>(st.st_size) < offset + data.size()) {
    result =
        MakeError(ErrorCode::kIo,
                  file.string() + " is not a regular file holding the range");
  }
  std::size_t done = 0;
  while (result && done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      result = ErrnoError("cannot write", file);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (result && ::fsync(fd) != 0)
    result = ErrnoError("cannot flush", file);
  if (::close(fd) != 0 && result)
    result = ErrnoError("cannot close", file);
  return result;
}

Result<bool> IsOwnerOnly(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return ErrnoError("cannot stat", file);
  return (st.st_mode & 0077) == 0;
}

}  // namespace gg
