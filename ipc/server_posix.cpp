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

#include "ipc/connection.h"
#include "ipc/peer_credentials.h"
#include "ipc/server.h"

namespace gg::ipc {

using Local = asio::local::stream_protocol;

struct Server::Impl {
  Impl(asio::io_context& io_in, RequestHandler& h, ServerOptions o)
      : io(io_in), handler(h), options(std::move(o)), acceptor(io_in) {}

  Status Bind();
  void Accept();
  bool PeerAllowed(const Peer& peer) const;
  void Refuse(Local::socket socket, const std::string& line);

  asio::io_context& io;
  RequestHandler& handler;
  ServerOptions options;
  Local::acceptor acceptor;
  internal::Registry registry;
  long long own_uid = static_cast<long long>(geteuid());
  bool bound_path = false;
  bool stopped = false;
};

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

Status Server::Impl::Bind() {
  asio::error_code ec;
  if (!options.activated_fds.empty()) {
    acceptor.assign(Local(), options.activated_fds.front(), ec);
    if (ec) {
      return MakeError("IO_ERROR",
                       "cannot use the activated socket: " + ec.message());
    }
    return Ok();
  }
  const std::string& path = options.path;
  if (auto dir = EnsureDirectory(path, options.directory_mode); !dir) {
    return dir;
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return MakeError("IO_ERROR", path + " exists and is not a socket");
    }
    // Two agents never share a path: only a dead socket is replaced.
    Local::socket probe(io);
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
  acceptor.open(Local(), ec);
  if (!ec) {
    acceptor.bind(Local::endpoint(path), ec);
  }
  if (ec) {
    return MakeError("IO_ERROR", "cannot bind " + path + ": " + ec.message());
  }
  bound_path = true;
  if (chmod(path.c_str(), static_cast<mode_t>(options.socket_mode)) != 0) {
    return MakeError("IO_ERROR", Errno("cannot chmod " + path));
  }
  if (options.socket_group) {
    auto gid = LookupGroup(*options.socket_group);
    if (!gid) {
      return tl::unexpected(gid.error());
    }
    if (chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
      return MakeError("IO_ERROR", Errno("cannot chgrp " + path));
    }
  }
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError("IO_ERROR",
                     "cannot listen on " + path + ": " + ec.message());
  }
  return Ok();
}

bool Server::Impl::PeerAllowed(const Peer& peer) const {
  if (options.allowed_uids.empty() && options.allowed_gids.empty()) {
    return true;
  }
  const auto& uids = options.allowed_uids;
  if (peer.uid >= 0 &&
      std::find(uids.begin(), uids.end(), peer.uid) != uids.end()) {
    return true;
  }
  return !options.allowed_gids.empty() &&
         PeerInGroups(peer, options.allowed_gids);
}

void Server::Impl::Refuse(Local::socket socket, const std::string& line) {
  auto s = std::make_shared<Local::socket>(std::move(socket));
  auto data = std::make_shared<std::string>(line);
  if (data->empty()) {
    asio::error_code ignored;
    s->close(ignored);
    return;
  }
  // Best effort and asynchronous, so a slow refused peer stalls nobody.
  asio::async_write(*s, asio::buffer(*data),
                    [s, data](asio::error_code, std::size_t) {
                      asio::error_code ignored;
                      s->close(ignored);
                    });
}

void Server::Impl::Accept() {
  acceptor.async_accept([this](asio::error_code ec, Local::socket socket) {
    // Checked before touching `this`: after Stop the Impl may be gone.
    if (ec == asio::error::operation_aborted) {
      return;
    }
    if (stopped) {
      return;
    }
    if (ec) {
      spdlog::warn("ipc: accept failed: {}", ec.message());
      Accept();
      return;
    }
    Peer peer = ReadPeerCredentials(socket.native_handle());
    if (!PeerAllowed(peer)) {
      spdlog::warn("ipc: refused peer pid={} uid={} (not allowed)", peer.pid,
                   peer.uid);
      Refuse(std::move(socket), "");
    } else if (registry.Size() >= options.limits.max_connections) {
      Refuse(std::move(socket),
             EncodeError(nullptr,
                         MakeErrorAnswer("BUSY", "too many connections")));
    } else {
      ConnectionId id = registry.NextId();
      auto conn = std::make_shared<internal::Connection<Local::socket>>(
          io, std::move(socket), id, peer, own_uid, options.limits, handler,
          [this](ConnectionId gone) { registry.Remove(gone); });
      registry.Add(id, conn);
      conn->Start();
    }
    Accept();
  });
}

Server::Server(asio::io_context& io,
               RequestHandler& handler,
               ServerOptions options)
    : impl_(std::make_shared<Impl>(io, handler, std::move(options))) {}

Server::~Server() {
  Stop();
}

Status Server::Start() {
  if (auto bound = impl_->Bind(); !bound) {
    asio::error_code ignored;
    impl_->acceptor.close(ignored);
    return bound;
  }
  impl_->Accept();
  return Ok();
}

void Server::Stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  asio::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->registry.CloseAll();
  if (impl_->bound_path) {
    unlink(impl_->options.path.c_str());
    impl_->bound_path = false;
  }
}

void Server::PushVerdictEvent(ConnectionId connection,
                              std::string session_id,
                              Verdict verdict) {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->io, [weak, connection, session_id = std::move(session_id),
                         verdict = std::move(verdict)] {
    auto impl = weak.lock();
    if (!impl) {
      return;
    }
    impl->registry.PushEvent(connection,
                             EncodeVerdictEvent(session_id, verdict));
  });
}

void Server::BroadcastShutdown() {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->io, [weak] {
    if (auto impl = weak.lock()) {
      impl->registry.Broadcast(EncodeShutdownEvent());
    }
  });
}

void Server::Drain() {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->io, [weak] {
    if (auto impl = weak.lock()) {
      asio::error_code ignored;
      impl->acceptor.close(ignored);
      impl->registry.Broadcast(EncodeShutdownEvent());
      impl->registry.CloseAllAfterWrites();
    }
  });
}

std::size_t Server::ConnectionCount() const {
  return impl_->registry.Size();
}

}  // namespace gg::ipc
