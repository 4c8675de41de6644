// The named-pipe server (Windows): overlapped I/O through
// asio::windows::stream_handle, an explicit DACL, the first instance
// created with FILE_FLAG_FIRST_PIPE_INSTANCE so two agents never share a
// name, and PIPE_REJECT_REMOTE_CLIENTS.
#include <windows.h>

#include <sddl.h>

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "ipc/connection.h"
#include "ipc/peer_credentials.h"
#include "ipc/server.h"

namespace gg::ipc {

namespace {

// SYSTEM and Administrators full control, Authenticated Users read/write;
// "P" protects the DACL from inherited entries.
constexpr wchar_t kPipeSddl[] = L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;AU)";
constexpr DWORD kPipeBuffer = 65536;

std::wstring Widen(const std::string& s) {
  if (s.empty()) {
    return {};
  }
  int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()),
                              nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
  if (n > 0) {
    MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()),
                        out.data(), n);
  }
  return out;
}

}  // namespace

struct Server::Impl {
  Impl(asio::io_context& io_in, RequestHandler& h, ServerOptions o)
      : io(io_in), handler(h), options(std::move(o)) {}
  ~Impl() {
    if (security != nullptr) {
      LocalFree(security);
    }
  }

  Result<HANDLE> CreateInstance(bool first);
  void Accept(HANDLE pipe);
  void Admit(asio::windows::stream_handle stream);
  void ListenNext();

  asio::io_context& io;
  RequestHandler& handler;
  ServerOptions options;
  internal::Registry registry;
  PSECURITY_DESCRIPTOR security = nullptr;
  // The instance awaiting a client.
  std::shared_ptr<asio::windows::stream_handle> pending;
  bool stopped = false;
};

Result<HANDLE> Server::Impl::CreateInstance(bool first) {
  SECURITY_ATTRIBUTES sa{};
  sa.nLength = sizeof(sa);
  sa.lpSecurityDescriptor = security;
  sa.bInheritHandle = FALSE;
  DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
  if (first) {
    open_mode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
  }
  HANDLE pipe = CreateNamedPipeW(Widen(options.path).c_str(), open_mode,
                                 PIPE_TYPE_BYTE | PIPE_READMODE_BYTE |
                                     PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                 PIPE_UNLIMITED_INSTANCES, kPipeBuffer,
                                 kPipeBuffer, 0, &sa);
  if (pipe == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    if (first && (err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY)) {
      return MakeError("ADDRESS_IN_USE",
                       "another agent is already listening on " + options.path);
    }
    return MakeError("IO_ERROR",
                     "CreateNamedPipe failed: error " + std::to_string(err));
  }
  return pipe;
}

void Server::Impl::Accept(HANDLE pipe) {
  // Wrapping the handle first associates it with the io_context's
  // completion port, so the overlapped ConnectNamedPipe completes there.
  pending = std::make_shared<asio::windows::stream_handle>(io, pipe);
  auto stream = pending;
  asio::windows::overlapped_ptr overlapped(
      stream->get_executor(), [this, stream](asio::error_code ec, std::size_t) {
        // Checked before touching `this`: after Stop the Impl may be gone.
        if (ec == asio::error::operation_aborted || stopped) {
          return;
        }
        pending.reset();
        if (!ec) {
          Admit(std::move(*stream));
        }
        ListenNext();
      });
  BOOL ok = ConnectNamedPipe(stream->native_handle(), overlapped.get());
  DWORD err = GetLastError();
  if (!ok && err == ERROR_IO_PENDING) {
    overlapped.release();  // completes later through the io_context
  } else if (ok || err == ERROR_PIPE_CONNECTED) {
    overlapped.complete(asio::error_code(), 0);  // connected in between
  } else {
    overlapped.complete(asio::error_code(static_cast<int>(err),
                                         asio::error::get_system_category()),
                        0);
  }
}

void Server::Impl::Admit(asio::windows::stream_handle stream) {
  Peer peer = ReadPeerCredentials(
      reinterpret_cast<std::intptr_t>(stream.native_handle()));
  if (registry.Size() >= options.limits.max_connections) {
    auto refused =
        std::make_shared<asio::windows::stream_handle>(std::move(stream));
    auto line = std::make_shared<std::string>(
        EncodeError(nullptr, MakeErrorAnswer("BUSY", "too many connections")));
    asio::async_write(*refused, asio::buffer(*line),
                      [refused, line](asio::error_code, std::size_t) {
                        asio::error_code ignored;
                        refused->close(ignored);
                      });
    return;
  }
  ConnectionId id = registry.NextId();
  auto conn =
      std::make_shared<internal::Connection<asio::windows::stream_handle>>(
          io, std::move(stream), id, peer, -1, options.limits, handler,
          [this](ConnectionId gone) { registry.Remove(gone); });
  registry.Add(id, conn);
  conn->Start();
}

void Server::Impl::ListenNext() {
  if (stopped) {
    return;
  }
  auto pipe = CreateInstance(/*first=*/false);
  if (!pipe) {
    spdlog::error("ipc: {}", pipe.error().message);
    return;
  }
  Accept(*pipe);
}

Server::Server(asio::io_context& io,
               RequestHandler& handler,
               ServerOptions options)
    : impl_(std::make_shared<Impl>(io, handler, std::move(options))) {}

Server::~Server() {
  Stop();
}

Status Server::Start() {
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
          kPipeSddl, SDDL_REVISION_1, &impl_->security, nullptr)) {
    return MakeError("IO_ERROR", "cannot build the pipe DACL: error " +
                                     std::to_string(GetLastError()));
  }
  auto pipe = impl_->CreateInstance(/*first=*/true);
  if (!pipe) {
    return tl::unexpected(pipe.error());
  }
  impl_->Accept(*pipe);
  return Ok();
}

void Server::Stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  if (impl_->pending) {
    asio::error_code ignored;
    impl_->pending->close(ignored);  // cancels the pending ConnectNamedPipe
    impl_->pending.reset();
  }
  impl_->registry.CloseAll();
}

void Server::PushVerdictEvent(ConnectionId connection,
                              std::string session_id,
                              Verdict verdict) {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->io, [weak, connection, session_id = std::move(session_id),
                         verdict = std::move(verdict)] {
    if (auto impl = weak.lock()) {
      impl->registry.PushEvent(connection,
                               EncodeVerdictEvent(session_id, verdict));
    }
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
      if (impl->pending) {
        asio::error_code ignored;
        impl->pending->close(ignored);
        impl->pending.reset();
      }
      impl->registry.Broadcast(EncodeShutdownEvent());
      impl->registry.CloseAllAfterWrites();
    }
  });
}

std::size_t Server::ConnectionCount() const {
  return impl_->registry.Size();
}

}  // namespace gg::ipc
