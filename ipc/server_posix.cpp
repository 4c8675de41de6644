// The Unix domain socket server (Linux and macOS).
#include <grp.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "ipc/peer_credentials.h"
#include "ipc/server_core.h"

namespace gg::ipc::internal {

using Local = asio::local::stream_protocol;

namespace {

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

Status EnsureDirectory(const std::string& socket_path, unsigned mode) {
  auto slash = socket_path.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return Ok();
  }
  std::string dir = socket_path.substr(0, slash);
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return MakeError("IO_ERROR", dir + " is not a directory");
    }
    return Ok();  // an existing directory is the admin's: never re-moded
  }
  if (auto parent = EnsureDirectory(dir, 0755); !parent) {
    return parent;
  }
  if (mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
    return MakeError("IO_ERROR", Errno("cannot create " + dir));
  }
  // mkdir applies the umask; the spec's mode is the one we want.
  if (chmod(dir.c_str(), static_cast<mode_t>(mode)) != 0) {
    return MakeError("IO_ERROR", Errno("cannot chmod " + dir));
  }
  return Ok();
}

Result<gid_t> LookupGroup(const std::string& name) {
  std::vector<char> buf(16384);
  group gr{};
  group* found = nullptr;
  int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return MakeError("IO_ERROR", "unknown group " + name);
  }
  return found->gr_gid;
}

}  // namespace

class PosixListener final : public Listener {
 public:
  explicit PosixListener(ServerCore& core)
      : core_(core), acceptor_(core.io()) {}

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
  }

  void RemoveEndpoint() override {
    if (bound_path_) {
      unlink(core_.options().path.c_str());
      bound_path_ = false;
    }
  }

 private:
  Status Bind();
  void Accept();

  ServerCore& core_;
  Local::acceptor acceptor_;
  bool bound_path_ = false;
};

Status PosixListener::Bind() {
  asio::error_code ec;
  if (!core_.options().activated_fds.empty()) {
    acceptor_.assign(Local(), core_.options().activated_fds.front(), ec);
    if (ec) {
      return MakeError("IO_ERROR",
                       "cannot use the activated socket: " + ec.message());
    }
    return Ok();
  }
  const std::string& path = core_.options().path;
  if (auto dir = EnsureDirectory(path, core_.options().directory_mode); !dir) {
    return dir;
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return MakeError("IO_ERROR", path + " exists and is not a socket");
    }
    // Two agents never share a path: only a dead socket is replaced.
    Local::socket probe(core_.io());
    probe.connect(Local::endpoint(path), ec);
    if (!ec) {
      return MakeError("ADDRESS_IN_USE",
                       "another agent is already listening on " + path);
    }
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return MakeError("IO_ERROR", Errno("cannot remove stale " + path));
    }
    spdlog::info("ipc: replaced a stale socket at {}", path);
  }
  acceptor_.open(Local(), ec);
  if (!ec) {
    acceptor_.bind(Local::endpoint(path), ec);
  }
  if (ec) {
    return MakeError("IO_ERROR", "cannot bind " + path + ": " + ec.message());
  }
  bound_path_ = true;
  if (chmod(path.c_str(), static_cast<mode_t>(core_.options().socket_mode)) !=
      0) {
    return MakeError("IO_ERROR", Errno("cannot chmod " + path));
  }
  if (core_.options().socket_group) {
    auto gid = LookupGroup(*core_.options().socket_group);
    if (!gid) {
      return tl::unexpected(gid.error());
    }
    if (chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
      return MakeError("IO_ERROR", Errno("cannot chgrp " + path));
    }
  }
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError("IO_ERROR",
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
      spdlog::warn("ipc: accept failed: {}", ec.message());
      Accept();
      return;
    }
    Peer peer = ReadPeerCredentials(socket.native_handle());
    core_.OnAccepted(std::move(socket), peer);
    Accept();
  });
}

std::unique_ptr<Listener> MakeListener(ServerCore& core) {
  return std::make_unique<PosixListener>(core);
}

long long OwnUid() {
  return static_cast<long long>(geteuid());
}

}  // namespace gg::ipc::internal
