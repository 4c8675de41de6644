// The named-pipe transport of libggclient (Windows): overlapped reads and
// writes so every wait is bounded by the caller's timeout.
#include <windows.h>

#include <cstdlib>
#include <string>

#include "ipc/client/transport.h"

namespace gg::client_internal {
namespace {

std::wstring Widen(const std::string& s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()),
                              nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
  if (n > 0) {
    MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()),
                        out.data(), n);
  }
  return out;
}

std::string LastError(const char* what) {
  return std::string(what) + ": error " + std::to_string(GetLastError());
}

class PipeTransport : public Transport {
 public:
  explicit PipeTransport(HANDLE pipe) : pipe_(pipe) {
    event_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  }
  ~PipeTransport() override {
    CloseHandle(pipe_);
    if (event_ != nullptr) {
      CloseHandle(event_);
    }
  }

  bool WriteAll(std::string_view data,
                int timeout_ms,
                std::string& error) override {
    while (!data.empty()) {
      DWORD n = 0;
      if (!Overlapped(false, const_cast<char*>(data.data()),
                      static_cast<DWORD>(data.size()), timeout_ms, n, error)) {
        return false;
      }
      data.remove_prefix(n);
    }
    return true;
  }

  bool WaitReadable(int timeout_ms) override {
    // No overlapped read stays outstanding between calls, so peek: short
    // steps until data, a broken pipe or the timeout.
    ULONGLONG end = GetTickCount64() + static_cast<ULONGLONG>(timeout_ms);
    while (true) {
      DWORD avail = 0;
      if (!PeekNamedPipe(pipe_, nullptr, 0, nullptr, &avail, nullptr) ||
          avail > 0) {
        return true;
      }
      if (GetTickCount64() >= end) {
        return false;
      }
      Sleep(20);
    }
  }

  std::intptr_t WaitHandle() const override { return -1; }

  bool ReadSome(std::string& out, int timeout_ms, std::string& error) override {
    char buf[8192];
    DWORD n = 0;
    if (!Overlapped(true, buf, sizeof(buf), timeout_ms, n, error)) {
      return error == "timed out";  // a timeout is "nothing yet", not an error
    }
    if (n == 0) {
      error = "the agent closed the connection";
      return false;
    }
    out.append(buf, n);
    return true;
  }

 private:
  bool Overlapped(bool read,
                  char* buf,
                  DWORD len,
                  int timeout_ms,
                  DWORD& done,
                  std::string& error) {
    if (event_ == nullptr) {
      error = "CreateEvent failed";
      return false;
    }
    OVERLAPPED ov{};
    ov.hEvent = event_;
    ResetEvent(event_);
    BOOL ok = read ? ReadFile(pipe_, buf, len, nullptr, &ov)
                   : WriteFile(pipe_, buf, len, nullptr, &ov);
    if (!ok && GetLastError() != ERROR_IO_PENDING) {
      error = LastError(read ? "ReadFile" : "WriteFile");
      return false;
    }
    if (WaitForSingleObject(event_, static_cast<DWORD>(timeout_ms)) !=
        WAIT_OBJECT_0) {
      CancelIoEx(pipe_, &ov);
      GetOverlappedResult(pipe_, &ov, &done, TRUE);  // wait for the cancel
      error = "timed out";
      return false;
    }
    if (!GetOverlappedResult(pipe_, &ov, &done, FALSE)) {
      error = LastError("pipe I/O");
      return false;
    }
    return true;
  }

  HANDLE pipe_;
  HANDLE event_ = nullptr;
};

}  // namespace

std::unique_ptr<Transport> Connect(const std::string& path,
                                   int timeout_ms,
                                   long long /*agent_uid*/,
                                   std::string& error) {
  std::wstring name = Widen(path);
  // All instances busy: wait for one, up to the timeout.
  for (int attempt = 0; attempt < 2; ++attempt) {
    HANDLE pipe =
        CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                    OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    if (pipe != INVALID_HANDLE_VALUE) {
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
