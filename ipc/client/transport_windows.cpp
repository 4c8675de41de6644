// The named-pipe transport of libggclient (Windows): overlapped reads and
// writes so every wait is bounded by the caller's timeout. Before a byte is
// sent, the server end is checked (server_trust.h): any local user who
// could create an instance of the pipe name would otherwise collect the
// license keys and answer "allow".
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "ipc/client/server_trust.h"
#include "ipc/client/transport.h"
#include "platform/windows/wide_string.h"

namespace gg::client_internal {
namespace {

std::string LastError(const char* what) {
  return std::string(what) + ": error " + std::to_string(GetLastError());
}

// One overlapped read is kept outstanding while connected, so its event is
// a waitable handle an app's loop can watch (gg_client_fd): signalled when
// data (or the end of the pipe) has arrived, reset once it is taken.
class PipeTransport : public Transport {
 public:
  explicit PipeTransport(HANDLE pipe) : pipe_(pipe) {
    read_event_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    write_event_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    if (read_event_ == nullptr || write_event_ == nullptr) {
      broken_ = "CreateEvent failed";
    } else {
      StartRead();
    }
  }
  ~PipeTransport() override {
    if (reading_) {
      DWORD n = 0;
      CancelIoEx(pipe_, &read_ov_);
      GetOverlappedResult(pipe_, &read_ov_, &n, TRUE);  // wait for the cancel
    }
    CloseHandle(pipe_);
    for (HANDLE e : {read_event_, write_event_}) {
      if (e != nullptr) {
        CloseHandle(e);
      }
    }
  }

  bool WriteAll(std::string_view data,
                int timeout_ms,
                std::string& error) override {
    while (!data.empty()) {
      if (write_event_ == nullptr) {
        error = "CreateEvent failed";
        return false;
      }
      OVERLAPPED ov{};
      ov.hEvent = write_event_;
      ResetEvent(write_event_);
      DWORD n = 0;
      if (!WriteFile(pipe_, data.data(), static_cast<DWORD>(data.size()),
                     nullptr, &ov) &&
          GetLastError() != ERROR_IO_PENDING) {
        error = LastError("WriteFile");
        return false;
      }
      if (WaitForSingleObject(write_event_, static_cast<DWORD>(timeout_ms)) !=
          WAIT_OBJECT_0) {
        CancelIoEx(pipe_, &ov);
        GetOverlappedResult(pipe_, &ov, &n, TRUE);
        error = "timed out";
        return false;
      }
      if (!GetOverlappedResult(pipe_, &ov, &n, FALSE)) {
        error = LastError("WriteFile");
        return false;
      }
      data.remove_prefix(n);
    }
    return true;
  }

  bool ReadSome(std::string& out, int timeout_ms, std::string& error) override {
    StartRead();
    if (!broken_.empty()) {
      error = broken_;
      return false;
    }
    if (WaitForSingleObject(read_event_, static_cast<DWORD>(timeout_ms)) !=
        WAIT_OBJECT_0) {
      return true;  // nothing yet; the read stays outstanding
    }
    if (!broken_.empty()) {
      error = broken_;
      return false;
    }
    DWORD n = 0;
    if (!GetOverlappedResult(pipe_, &read_ov_, &n, FALSE)) {
      DWORD e = GetLastError();
      if (e == ERROR_IO_INCOMPLETE) {
        return true;
      }
      if (e != ERROR_MORE_DATA) {
        reading_ = false;
        Break(e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED
                  ? std::string("the agent closed the connection")
                  : LastError("ReadFile"));
        error = broken_;
        return false;
      }
    }
    reading_ = false;
    if (n == 0) {
      Break("the agent closed the connection");
      error = broken_;
      return false;
    }
    out.append(buf_, n);
    StartRead();  // keep the event meaningful for the next wait
    return true;
  }

  bool WaitReadable(int timeout_ms) override {
    return read_event_ != nullptr &&
           WaitForSingleObject(read_event_, static_cast<DWORD>(timeout_ms)) ==
               WAIT_OBJECT_0;
  }

  std::intptr_t WaitHandle() const override {
    return reinterpret_cast<std::intptr_t>(read_event_);
  }

 private:
  void StartRead() {
    if (reading_ || !broken_.empty()) {
      return;
    }
    read_ov_ = OVERLAPPED{};
    read_ov_.hEvent = read_event_;
    ResetEvent(read_event_);
    if (!ReadFile(pipe_, buf_, sizeof(buf_), nullptr, &read_ov_) &&
        GetLastError() != ERROR_IO_PENDING) {
      Break(GetLastError() == ERROR_BROKEN_PIPE
                ? std::string("the agent closed the connection")
                : LastError("ReadFile"));
      return;
    }
    reading_ = true;  // completes (signals the event) now or later
  }

  // The pipe is done: waiters wake and every later read reports `why`.
  void Break(std::string why) {
    broken_ = std::move(why);
    SetEvent(read_event_);
  }

  HANDLE pipe_;
  HANDLE read_event_ = nullptr;
  HANDLE write_event_ = nullptr;
  OVERLAPPED read_ov_{};
  bool reading_ = false;
  std::string broken_;
  char buf_[8192];
};

// The string form of the user SID in `token`, or "" when unreadable.
std::string TokenUserSid(HANDLE token) {
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  if (size == 0) {
    return {};
  }
  std::vector<unsigned char> buf(size);
  if (!GetTokenInformation(token, TokenUser, buf.data(), size, &size)) {
    return {};
  }
  LPSTR text = nullptr;
  PSID sid = reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid;
  if (!ConvertSidToStringSidA(sid, &text)) {
    return {};
  }
  std::string out(text);
  LocalFree(text);
  return out;
}

std::string ProcessUserSid(HANDLE process) {
  HANDLE token = nullptr;
  if (!OpenProcessToken(process, TOKEN_QUERY, &token)) {
    return {};
  }
  std::string sid = TokenUserSid(token);
  CloseHandle(token);
  return sid;
}

// The account the server end of `pipe` runs as. Its process token first; a
// standard user may not open a LocalSystem process's token, and then the
// owner of the pipe, which is the account that created it (only the agent
// may add instances: the DACL keeps FILE_CREATE_PIPE_INSTANCE from users).
std::string ServerSid(HANDLE pipe, std::string& why) {
  ULONG pid = 0;
  if (!GetNamedPipeServerProcessId(pipe, &pid)) {
    why = LastError("GetNamedPipeServerProcessId");
    return {};
  }
  if (HANDLE process =
          OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)) {
    std::string sid = ProcessUserSid(process);
    CloseHandle(process);
    if (!sid.empty()) {
      return sid;
    }
  }
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (GetSecurityInfo(pipe, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION,
                      &owner, nullptr, nullptr, nullptr,
                      &sd) != ERROR_SUCCESS) {
    why = "cannot read the account of server process " + std::to_string(pid);
    return {};
  }
  std::string out;
  LPSTR text = nullptr;
  if (owner != nullptr && ConvertSidToStringSidA(owner, &text)) {
    out = text;
    LocalFree(text);
  }
  LocalFree(sd);
  if (out.empty()) {
    why = "cannot read the owner of the pipe";
  }
  return out;
}

bool ServerTrusted(HANDLE pipe, std::string& why) {
  std::string server = ServerSid(pipe, why);
  if (server.empty()) {
    return false;
  }
  std::string self = ProcessUserSid(GetCurrentProcess());
  if (!TrustedServerAccount(server, self)) {
    why = "the server runs as " + server +
          ", not as LocalSystem or the agent's service account";
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<Transport> Connect(const std::string& path,
                                   int timeout_ms,
                                   long long /*agent_uid*/,
                                   std::string& error) {
  std::wstring name = gg::Widen(path);
  // Data only (no FILE_APPEND_DATA, which on a pipe is create-instance, and
  // which the pipe's DACL refuses), plus READ_CONTROL for the owner check.
  // Identification level: the server may learn who we are, never act as us.
  constexpr DWORD kAccess = FILE_READ_DATA | FILE_WRITE_DATA |
                            FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE;
  constexpr DWORD kFlags =
      FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;
  // All instances busy: wait for one, up to the timeout.
  for (int attempt = 0; attempt < 2; ++attempt) {
    HANDLE pipe = CreateFileW(name.c_str(), kAccess, 0, nullptr, OPEN_EXISTING,
                              kFlags, nullptr);
    if (pipe != INVALID_HANDLE_VALUE) {
      std::string why;
      if (!ServerTrusted(pipe, why)) {
        CloseHandle(pipe);
        error = "refusing " + path + ": " + why;
        return nullptr;
      }
      return std::make_unique<PipeTransport>(pipe);
    }
    if (GetLastError() != ERROR_PIPE_BUSY ||
        !WaitNamedPipeW(name.c_str(), static_cast<DWORD>(timeout_ms))) {
      break;
    }
  }
  error = LastError(("cannot connect to " + path).c_str());
  return nullptr;
}

std::string DefaultEndpoint() {
  if (const char* env = std::getenv("GG_AGENT_SOCKET"); env && *env) {
    return env;
  }
  return R"(\\.\pipe\gg-agent)";
}

}  // namespace gg::client_internal
