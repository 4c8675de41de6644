// The named-pipe server (Windows): overlapped I/O through
// asio::windows::stream_handle, a security descriptor naming the agent's
// account as the owner, the first instance created with
// FILE_FLAG_FIRST_PIPE_INSTANCE so two agents never share a name, and
// PIPE_REJECT_REMOTE_CLIENTS.
//
// Who a client is can be read only once it has written to the pipe (the
// server impersonates it at identification level, which Windows allows
// only after a read), so a connected client is first "unidentified": its
// first bytes are awaited, then its token is read and it goes to
// ServerCore::OnAccepted like a POSIX peer. Unidentified clients are
// bounded like the connections of one uid (ipc.maxConnectionsPerUid; for a
// new one past that the oldest is dropped, so silent clients cannot lock
// the others out) and closed after ipc.idleTimeoutSeconds.
#include <windows.h>

#include <sddl.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "ipc/peer_credentials.h"
#include "ipc/server_core.h"
#include "platform/windows/wide_string.h"

namespace gg::ipc::internal {

namespace {

using PipeStream = asio::windows::stream_handle;

constexpr DWORD kPipeBuffer = 65536;

// The string form of the SID this process runs as, or "" with `error`.
std::wstring OwnSid(std::string& error) {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
    error = "OpenProcessToken: error " + std::to_string(GetLastError());
    return {};
  }
  union {
    TOKEN_USER user;
    BYTE bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
  } info;
  DWORD size = 0;
  const BOOL read =
      GetTokenInformation(token, TokenUser, &info, sizeof(info), &size);
  const DWORD read_error = GetLastError();
  CloseHandle(token);
  if (!read) {
    error =
        "GetTokenInformation(TokenUser): error " + std::to_string(read_error);
    return {};
  }
  LPWSTR text = nullptr;
  if (!ConvertSidToStringSidW(info.user.User.Sid, &text)) {
    error = "ConvertSidToStringSid: error " + std::to_string(GetLastError());
    return {};
  }
  std::wstring sid(text);
  LocalFree(text);
  return sid;
}

// Owner: the agent's own account (NT SERVICE\gg-agent for the service), set
// explicitly: a token's default owner may be BUILTIN\Administrators, and a
// client that cannot open the agent's process (a standard user, when the
// agent is a service) checks this owner instead. DACL, protected ("P") from
// inherited entries: the agent's account, SYSTEM and Administrators full
// control (FA, FILE_ALL_ACCESS: the agent needs FILE_CREATE_PIPE_INSTANCE
// for each next instance); Authenticated Users read and write data only,
// 0x120083 = FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES |
// READ_CONTROL | SYNCHRONIZE. Never GENERIC_WRITE: on a pipe it includes
// FILE_APPEND_DATA, which is FILE_CREATE_PIPE_INSTANCE, and any user could
// then add an instance of the agent's name and answer apps (collecting
// their keys).
std::wstring PipeSddl(const std::wstring& own_sid) {
  return L"O:" + own_sid + L"D:P(A;;FA;;;" + own_sid +
         L")(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x120083;;;AU)";
}

// A connected client whose first bytes are awaited.
struct Unidentified {
  Unidentified(asio::io_context& io, std::shared_ptr<PipeStream> s)
      : stream(std::move(s)), timer(io) {}
  std::shared_ptr<PipeStream> stream;
  asio::steady_timer timer;
  std::array<char, 8192> buffer{};
};

class PipeListener final : public Listener {
 public:
  explicit PipeListener(ServerCore& core) : core_(core) {}
  ~PipeListener() override {
    if (security_ != nullptr) {
      LocalFree(security_);
    }
  }

  Status Start() override {
    std::string error;
    const std::wstring own_sid = OwnSid(error);
    if (own_sid.empty()) {
      return MakeError(ErrorCode::kIo,
                       "cannot read the agent's account: " + error);
    }
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
            PipeSddl(own_sid).c_str(), SDDL_REVISION_1, &security_, nullptr)) {
      return MakeError(ErrorCode::kIo,
                       "cannot build the pipe's security: error " +
                           std::to_string(GetLastError()));
    }
    auto pipe = CreateInstance(/*first=*/true);
    if (!pipe) {
      return tl::unexpected(pipe.error());
    }
    Accept(*pipe);
    return Ok();
  }

  void StopAccepting() override {
    accepting_ = false;
    if (pending_) {
      asio::error_code ignored;
      pending_->close(ignored);  // cancels the pending ConnectNamedPipe
      pending_.reset();
    }
    auto all = std::move(unidentified_);
    unidentified_.clear();
    for (auto& [seq, client] : all) {
      Drop(*client);
    }
  }

  void RemoveEndpoint() override {}  // a pipe name vanishes with its handles

 private:
  Result<HANDLE> CreateInstance(bool first);
  void Accept(HANDLE pipe);
  void ListenNext();
  void AwaitFirstBytes(std::shared_ptr<Unidentified> client);
  void Identify(std::uint64_t seq, std::size_t n);
  static void Drop(Unidentified& client) {
    asio::error_code ignored;
    client.timer.cancel();
    client.stream->close(ignored);
  }

  ServerCore& core_;
  PSECURITY_DESCRIPTOR security_ = nullptr;
  // The instance awaiting a client.
  std::shared_ptr<PipeStream> pending_;
  // Connected, not yet identified, oldest first.
  std::map<std::uint64_t, std::shared_ptr<Unidentified>> unidentified_;
  std::uint64_t next_seq_ = 0;
  // Completion handlers run after the listener may be gone (the server was
  // destroyed): they check this before touching it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  LogThrottle drop_log_{std::chrono::seconds(10)};
  bool accepting_ = true;
};

// True when some process already serves `name`: an instance waits for a
// client (WaitNamedPipe succeeds) or all are busy (it times out). Only "no
// such pipe" means free. FILE_FLAG_FIRST_PIPE_INSTANCE closes the race
// after this check on Windows; the check itself also stops a squatter where
// that flag is not enforced (wine).
bool PipeNameTaken(const std::wstring& name) {
  if (WaitNamedPipeW(name.c_str(), 1)) {
    return true;
  }
  return GetLastError() != ERROR_FILE_NOT_FOUND;
}

Result<HANDLE> PipeListener::CreateInstance(bool first) {
  SECURITY_ATTRIBUTES sa{};
  sa.nLength = sizeof(sa);
  sa.lpSecurityDescriptor = security_;
  sa.bInheritHandle = FALSE;
  DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
  if (first) {
    open_mode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
  }
  const std::string& path = core_.options().path;
  const std::wstring name = gg::Widen(path);
  if (first && PipeNameTaken(name)) {
    return MakeError(ErrorCode::kAddressInUse,
                     "another agent is already listening on " + path);
  }
  HANDLE pipe = CreateNamedPipeW(name.c_str(), open_mode,
                                 PIPE_TYPE_BYTE | PIPE_READMODE_BYTE |
                                     PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                 PIPE_UNLIMITED_INSTANCES, kPipeBuffer,
                                 kPipeBuffer, 0, &sa);
  if (pipe == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    if (first && (err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY)) {
      return MakeError(ErrorCode::kAddressInUse,
                       "another agent is already listening on " + path);
    }
    return MakeError(ErrorCode::kIo,
                     "CreateNamedPipe failed: error " + std::to_string(err));
  }
  return pipe;
}

void PipeListener::Accept(HANDLE pipe) {
  // Wrapping the handle first associates it with the io_context's
  // completion port, so the overlapped ConnectNamedPipe completes there.
  pending_ = std::make_shared<PipeStream>(core_.io(), pipe);
  auto stream = pending_;
  std::weak_ptr<bool> alive = alive_;
  asio::windows::overlapped_ptr overlapped(
      stream->get_executor(),
      [this, alive, stream](asio::error_code ec, std::size_t) {
        if (ec == asio::error::operation_aborted || alive.expired() ||
            core_.stopped() || !accepting_) {
          return;
        }
        pending_.reset();
        if (!ec) {
          AwaitFirstBytes(std::make_shared<Unidentified>(core_.io(), stream));
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

void PipeListener::AwaitFirstBytes(std::shared_ptr<Unidentified> client) {
  const ServerOptions& options = core_.options();
  if (unidentified_.size() >= options.limits.max_connections_per_uid) {
    // The oldest has had the longest to speak: it goes, the new one waits.
    auto oldest = unidentified_.begin();
    Drop(*oldest->second);
    unidentified_.erase(oldest);
    if (auto held_back = drop_log_.Allow(LogThrottle::Clock::now())) {
      spdlog::warn(
          "ipc: {} clients connected without sending anything: dropped the "
          "oldest ({} more not logged)",
          options.limits.max_connections_per_uid, *held_back);
    }
  }
  const std::uint64_t seq = ++next_seq_;
  unidentified_[seq] = client;
  std::weak_ptr<bool> alive = alive_;
  client->timer.expires_after(options.limits.idle_timeout);
  client->timer.async_wait([this, alive, seq](asio::error_code ec) {
    if (ec || alive.expired()) {
      return;
    }
    auto it = unidentified_.find(seq);
    if (it != unidentified_.end()) {
      Drop(*it->second);  // said nothing for ipc.idleTimeoutSeconds
      unidentified_.erase(it);
    }
  });
  client->stream->async_read_some(
      asio::buffer(client->buffer),
      [this, alive, seq, client](asio::error_code ec, std::size_t n) {
        if (ec == asio::error::operation_aborted || alive.expired() ||
            core_.stopped()) {
          return;
        }
        if (ec || n == 0) {
          auto it = unidentified_.find(seq);
          if (it != unidentified_.end()) {
            Drop(*it->second);
            unidentified_.erase(it);
          }
          return;
        }
        Identify(seq, n);
      });
}

void PipeListener::Identify(std::uint64_t seq, std::size_t n) {
  auto it = unidentified_.find(seq);
  if (it == unidentified_.end()) {
    return;  // dropped while its read completed
  }
  std::shared_ptr<Unidentified> client = it->second;
  unidentified_.erase(it);
  client->timer.cancel();
  Peer peer = ReadPeerCredentials(
      reinterpret_cast<std::intptr_t>(client->stream->native_handle()));
  if (peer.uid < 0) {
    // Fail closed: a client whose account cannot be read gets nothing.
    if (auto held_back = drop_log_.Allow(LogThrottle::Clock::now())) {
      spdlog::warn(
          "ipc: refused a client (pid={}) whose account cannot be read ({} "
          "more not logged)",
          peer.pid, *held_back);
    }
    Drop(*client);
    return;
  }
  core_.OnAccepted(std::move(*client->stream), peer,
                   std::string(client->buffer.data(), n));
}

void PipeListener::ListenNext() {
  if (core_.stopped() || !accepting_) {
    return;
  }
  auto pipe = CreateInstance(/*first=*/false);
  if (!pipe) {
    spdlog::error("ipc: {}", pipe.error().message);
    return;
  }
  Accept(*pipe);
}

}  // namespace

std::unique_ptr<Listener> MakeListener(ServerCore& core) {
  return std::make_unique<PipeListener>(core);
}

long long OwnUid() {
  // As peers' uids are read (peer_credentials_windows.cpp): 0 for
  // LocalSystem and Administrators, else the RID of the user SID.
  return OwnProcessUid();
}

}  // namespace gg::ipc::internal
