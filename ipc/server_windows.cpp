// The named-pipe server (Windows): overlapped I/O through
// asio::windows::stream_handle, an explicit DACL, the first instance
// created with FILE_FLAG_FIRST_PIPE_INSTANCE so two agents never share a
// name, and PIPE_REJECT_REMOTE_CLIENTS.
#include <windows.h>

#include <sddl.h>

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "ipc/peer_credentials.h"
#include "ipc/server_core.h"

namespace gg::ipc::internal {

namespace {

// SYSTEM and Administrators full control; Authenticated Users read and
// write data only: 0x120083 is FILE_READ_DATA | FILE_WRITE_DATA |
// FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE. Never GENERIC_WRITE:
// on a pipe it includes FILE_APPEND_DATA, which is FILE_CREATE_PIPE_INSTANCE,
// and any user could then add an instance of the agent's name and answer
// apps (collecting their keys). "P" protects the DACL from inherited entries.
constexpr wchar_t kPipeSddl[] =
    L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x120083;;;AU)";
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

class PipeListener final : public Listener {
 public:
  explicit PipeListener(ServerCore& core) : core_(core) {}
  ~PipeListener() override {
    if (security_ != nullptr) {
      LocalFree(security_);
    }
  }

  Status Start() override {
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
            kPipeSddl, SDDL_REVISION_1, &security_, nullptr)) {
      return MakeError("IO_ERROR", "cannot build the pipe DACL: error " +
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
  }

  void RemoveEndpoint() override {}  // a pipe name vanishes with its handles

 private:
  Result<HANDLE> CreateInstance(bool first);
  void Accept(HANDLE pipe);
  void ListenNext();

  ServerCore& core_;
  PSECURITY_DESCRIPTOR security_ = nullptr;
  // The instance awaiting a client.
  std::shared_ptr<asio::windows::stream_handle> pending_;
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
  if (first && PipeNameTaken(Widen(path))) {
    return MakeError("ADDRESS_IN_USE",
                     "another agent is already listening on " + path);
  }
  HANDLE pipe = CreateNamedPipeW(Widen(path).c_str(), open_mode,
                                 PIPE_TYPE_BYTE | PIPE_READMODE_BYTE |
                                     PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                 PIPE_UNLIMITED_INSTANCES, kPipeBuffer,
                                 kPipeBuffer, 0, &sa);
  if (pipe == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    if (first && (err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY)) {
      return MakeError("ADDRESS_IN_USE",
                       "another agent is already listening on " + path);
    }
    return MakeError("IO_ERROR",
                     "CreateNamedPipe failed: error " + std::to_string(err));
  }
  return pipe;
}

void PipeListener::Accept(HANDLE pipe) {
  // Wrapping the handle first associates it with the io_context's
  // completion port, so the overlapped ConnectNamedPipe completes there.
  pending_ = std::make_shared<asio::windows::stream_handle>(core_.io(), pipe);
  auto stream = pending_;
  asio::windows::overlapped_ptr overlapped(
      stream->get_executor(), [this, stream](asio::error_code ec, std::size_t) {
        // Checked before touching `this`: after Stop the listener may be
        // gone.
        if (ec == asio::error::operation_aborted || core_.stopped() ||
            !accepting_) {
          return;
        }
        pending_.reset();
        if (!ec) {
          Peer peer = ReadPeerCredentials(
              reinterpret_cast<std::intptr_t>(stream->native_handle()));
          core_.OnAccepted(std::move(*stream), peer);
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
  return ProcessUid(static_cast<long long>(GetCurrentProcessId()));
}

}  // namespace gg::ipc::internal
