// The Unix domain socket listener (Linux and macOS): binds the configured
// path safely, or adopts the descriptor systemd passed, and accepts.
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "ipc/peer_credentials.h"
#include "ipc/server_core.h"

namespace gg::ipc::internal {

using Local = asio::local::stream_protocol;

namespace {

// The caller turns this code into exit status 2 (bad configuration).

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

struct SplitPath {
  std::string dir;
  std::string name;
};

SplitPath Split(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return {".", path};
  }
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// Creates the missing directories of `dir` (the last with `mode`, its
// parents 0755). An existing directory is the admin's: never re-moded.
Status CreateMissing(const std::string& dir, unsigned mode) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) == 0) {
    return Ok();  // whatever it is, OpenSocketDirectory judges it
  }
  if (auto parent = CreateMissing(Split(dir).dir, 0755); !parent) {
    return parent;
  }
  if (mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
    return MakeError(ErrorCode::kIo, Errno("cannot create " + dir));
  }
  return Ok();
}

// A socket directory that someone else could write to lets him swap the
// socket for a link between our bind and chown, or plant one before we
// start: only root or the agent's own user may own it, and neither others
// nor a group other than root's or the agent's may write to it.
Status CheckDirectory(const struct stat& st, const std::string& dir) {
  const uid_t own_uid = geteuid();
  const gid_t own_gid = getegid();
  if (!S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kConfig,
                     "ipc.path: " + dir + " is not a directory");
  }
  if (st.st_uid != 0 && st.st_uid != own_uid) {
    return MakeError(ErrorCode::kConfig,
                     "ipc.path: the socket directory " + dir +
                         " is owned by uid " + std::to_string(st.st_uid) +
                         ", not by root or the agent's user");
  }
  const bool group_writable =
      (st.st_mode & S_IWGRP) != 0 && st.st_gid != 0 && st.st_gid != own_gid;
  if ((st.st_mode & S_IWOTH) != 0 || group_writable) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return MakeError(ErrorCode::kConfig, "ipc.path: the socket directory " +
                                             dir + " (mode " + mode +
                                             ") may be written by other users");
  }
  return Ok();
}

// The socket's directory, opened without following a link, created with
// `mode` if missing (the mode set through the descriptor, not the name).
Result<int> OpenSocketDirectory(const std::string& dir, unsigned mode) {
  struct stat before {};
  const bool existed = lstat(dir.c_str(), &before) == 0;
  if (auto made = CreateMissing(dir, mode); !made) {
    return tl::unexpected(made.error());
  }
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR) {
      return MakeError(ErrorCode::kConfig,
                       "ipc.path: " + dir + " is not a directory (or a link)");
    }
    return MakeError(ErrorCode::kIo, Errno("cannot open " + dir));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    Error e{ErrorCode::kIo, Errno("cannot stat " + dir)};
    close(fd);
    return tl::unexpected(e);
  }
  // Ours, just made: mkdir applied the umask, the spec's mode is wanted.
  if (!existed && st.st_uid == geteuid() &&
      fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    Error e{ErrorCode::kIo, Errno("cannot chmod " + dir)};
    close(fd);
    return tl::unexpected(e);
  }
  if (!existed && fstat(fd, &st) != 0) {
    Error e{ErrorCode::kIo, Errno("cannot stat " + dir)};
    close(fd);
    return tl::unexpected(e);
  }
  if (auto ok = CheckDirectory(st, dir); !ok) {
    close(fd);
    return tl::unexpected(ok.error());
  }
  return fd;
}

// What systemd hands over must be a listening Unix stream socket; anything
// else would fail every accept at once, in a loop.
Status CheckInheritedSocket(int fd) {
  const std::string what = "LISTEN_FDS: descriptor " + std::to_string(fd);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    return MakeError(ErrorCode::kConfig, Errno(what));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return MakeError(ErrorCode::kConfig, what + " is not a socket");
  }
  int type = 0;
  socklen_t len = sizeof(type);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    return MakeError(ErrorCode::kConfig, Errno(what + ": SO_TYPE"));
  }
  if (type != SOCK_STREAM) {
    return MakeError(ErrorCode::kConfig, what + " is not a stream socket");
  }
  sockaddr_storage addr{};
  len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return MakeError(ErrorCode::kConfig, Errno(what + ": getsockname"));
  }
  if (addr.ss_family != AF_UNIX) {
    return MakeError(ErrorCode::kConfig, what + " is not a Unix domain socket");
  }
  int listening = 0;
  len = sizeof(listening);
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0) {
    return MakeError(ErrorCode::kConfig, Errno(what + ": SO_ACCEPTCONN"));
  }
  if (listening == 0) {
    return MakeError(ErrorCode::kConfig, what + " is a socket not listening");
  }
  return Ok();
}

Result<gid_t> LookupGroup(const std::string& name) {
  std::vector<char> buf(16384);
  group gr{};
  group* found = nullptr;
  int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return MakeError(ErrorCode::kConfig, "ipc.group: unknown group " + name);
  }
  return found->gr_gid;
}

// An accept error that one peer caused (it left before we took it) is
// retried at once; any other (EMFILE, ENFILE, ENOBUFS, ...) persists for a
// while, so the next try waits.
bool IsPerConnectionError(const asio::error_code& ec) {
  return ec == asio::error::connection_aborted ||
         ec == asio::error::interrupted || ec == asio::error::would_block ||
         ec == asio::error::try_again;
}

constexpr std::chrono::milliseconds kFirstBackoff{10};
constexpr std::chrono::milliseconds kMaxBackoff{1000};

}  // namespace

class PosixListener final : public Listener {
 public:
  explicit PosixListener(ServerCore& core)
      : core_(core), acceptor_(core.io()), backoff_timer_(core.io()) {}

  Status Start() override {
    if (auto bound = Bind(); !bound) {
      asio::error_code ignored;
      acceptor_.close(ignored);
      return bound;
    }
    Accept();
    return Ok();
  }

  void StopAccepting() override {
    asio::error_code ignored;
    acceptor_.close(ignored);
    backoff_timer_.cancel();
  }

  void RemoveEndpoint() override {
    if (bound_path_) {
      unlink(core_.options().path.c_str());
      bound_path_ = false;
    }
  }

 private:
  Status Bind();
  Status BindPath();
  void Accept();
  void OnAcceptError(const asio::error_code& ec);

  ServerCore& core_;
  Local::acceptor acceptor_;
  asio::steady_timer backoff_timer_;
  std::chrono::milliseconds backoff_{0};
  LogThrottle accept_log_{std::chrono::seconds(10)};
  bool bound_path_ = false;
};

Status PosixListener::Bind() {
  const auto& fds = core_.options().activated_fds;
  if (fds.empty()) {
    return BindPath();
  }
  if (auto ok = CheckInheritedSocket(fds.front()); !ok) {
    return ok;
  }
  asio::error_code ec;
  acceptor_.assign(Local(), fds.front(), ec);
  if (ec) {
    return MakeError(ErrorCode::kIo,
                     "cannot use the activated socket: " + ec.message());
  }
  return Ok();
}

Status PosixListener::BindPath() {
  const ServerOptions& options = core_.options();
  const std::string& path = options.path;
  const SplitPath parts = Split(path);
  auto opened = OpenSocketDirectory(parts.dir, options.directory_mode);
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  const int dir_fd = *opened;
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{dir_fd};

  asio::error_code ec;
  struct stat st {};
  if (fstatat(dir_fd, parts.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return MakeError(ErrorCode::kIo, path + " exists and is not a socket");
    }
    // Two agents never share a path: only a dead socket is replaced.
    Local::socket probe(core_.io());
    probe.connect(Local::endpoint(path), ec);
    if (!ec) {
      return MakeError(ErrorCode::kAddressInUse,
                       "another agent is already listening on " + path);
    }
    if (unlinkat(dir_fd, parts.name.c_str(), 0) != 0 && errno != ENOENT) {
      return MakeError(ErrorCode::kIo, Errno("cannot remove stale " + path));
    }
    spdlog::info("ipc: replaced a stale socket at {}", path);
  }
  acceptor_.open(Local(), ec);
  if (!ec) {
    // The socket is born with its mode: there is no moment in which it is
    // open to more users than the config says.
    const mode_t old_umask =
        umask(static_cast<mode_t>(~options.socket_mode & 0777));
    acceptor_.bind(Local::endpoint(path), ec);
    umask(old_umask);
  }
  if (ec) {
    return MakeError(ErrorCode::kIo,
                     "cannot bind " + path + ": " + ec.message());
  }
  bound_path_ = true;
  // Neither call follows a link: in a directory only we may write to, the
  // name is the socket we just bound.
  if (fstatat(dir_fd, parts.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISSOCK(st.st_mode)) {
    return MakeError(ErrorCode::kIo, path + " is not the socket just bound");
  }
  if ((st.st_mode & 07777) != options.socket_mode &&
      fchmodat(dir_fd, parts.name.c_str(),
               static_cast<mode_t>(options.socket_mode), 0) != 0) {
    return MakeError(ErrorCode::kIo, Errno("cannot chmod " + path));
  }
  if (options.socket_group) {
    auto gid = LookupGroup(*options.socket_group);
    if (!gid) {
      return tl::unexpected(gid.error());
    }
    if (fchownat(dir_fd, parts.name.c_str(), static_cast<uid_t>(-1), *gid,
                 AT_SYMLINK_NOFOLLOW) != 0) {
      return MakeError(ErrorCode::kIo, Errno("cannot chgrp " + path));
    }
  }
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo,
                     "cannot listen on " + path + ": " + ec.message());
  }
  return Ok();
}

void PosixListener::Accept() {
  acceptor_.async_accept([this](asio::error_code ec, Local::socket socket) {
    // Checked before touching `this`: after Stop the listener may be gone.
    if (ec == asio::error::operation_aborted) {
      return;
    }
    if (core_.stopped()) {
      return;
    }
    if (ec) {
      OnAcceptError(ec);
      return;
    }
    backoff_ = std::chrono::milliseconds(0);
    Peer peer = ReadPeerCredentials(socket.native_handle());
    core_.OnAccepted(std::move(socket), peer);
    Accept();
  });
}

void PosixListener::OnAcceptError(const asio::error_code& ec) {
  if (IsPerConnectionError(ec)) {
    Accept();
    return;
  }
  // Out of descriptors (or worse): the pending peers wait in the backlog
  // while connections close, instead of a loop that burns a core and
  // writes the same line as fast as the disk takes it.
  backoff_ = backoff_.count() == 0 ? kFirstBackoff
                                   : std::min(backoff_ * 2, kMaxBackoff);
  if (auto held_back = accept_log_.Allow(LogThrottle::Clock::now())) {
    spdlog::warn(
        "ipc: accept failed: {} (retrying in {} ms; {} more not logged)",
        ec.message(), backoff_.count(), *held_back);
  }
  backoff_timer_.expires_after(backoff_);
  backoff_timer_.async_wait([this](asio::error_code wait_ec) {
    // Checked before touching `this`, as in Accept.
    if (wait_ec == asio::error::operation_aborted) {
      return;
    }
    if (!core_.stopped()) {
      Accept();
    }
  });
}

std::unique_ptr<Listener> MakeListener(ServerCore& core) {
  return std::make_unique<PosixListener>(core);
}

long long OwnUid() {
  return static_cast<long long>(geteuid());
}

}  // namespace gg::ipc::internal
