// Wine smoke of libggclient on Windows (tests/ipc/wine_client_smoke.sh): a
// named-pipe server in this process answers an authorize with an allow and
// then pushes a revocation; the client's waitable handle (gg_client_fd)
// must be signalled, and gg_client_dispatch must deliver the event.
#include <windows.h>
#include <cstdio>
#include <string>
#include <thread>
#include "gg/client.h"

static void Server() {
  HANDLE p = CreateNamedPipeW(L"\\\\.\\pipe\\ggsmoke", PIPE_ACCESS_DUPLEX,
                              PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                              1, 65536, 65536, 0, nullptr);
  if (p == INVALID_HANDLE_VALUE) {
    std::printf("server: create failed\n");
    return;
  }
  ConnectNamedPipe(p, nullptr);
  std::string in;
  char buf[4096];
  DWORD n = 0;
  while (in.find('\n') == std::string::npos &&
         ReadFile(p, buf, sizeof(buf), &n, nullptr) && n > 0)
    in.append(buf, n);
  std::string answer =
      "{\"id\":1,\"ok\":true,\"allow\":true,\"reasonCode\":null,\"sessionId\":"
      "\"s_1\"}\n";
  WriteFile(p, answer.data(), static_cast<DWORD>(answer.size()), &n, nullptr);
  Sleep(300);
  std::string ev =
      "{\"event\":\"verdict\",\"sessionId\":\"s_1\",\"allow\":false,"
      "\"reasonCode\":\"LICENSE_REVOKED\"}\n";
  WriteFile(p, ev.data(), static_cast<DWORD>(ev.size()), &n, nullptr);
  Sleep(2000);
  CloseHandle(p);
}

int main() {
  std::thread server(Server);
  Sleep(200);
  gg_client* c = gg_client_new("\\\\.\\pipe\\ggsmoke");
  gg_verdict v;
  int rc = gg_client_authorize(c, "7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10", "k",
                               nullptr, nullptr, 0, &v);
  if (rc != GG_OK || !v.allow) {
    std::printf("FAIL authorize rc=%d %s\n", rc, gg_client_last_error(c));
    return 1;
  }
  HANDLE h = reinterpret_cast<HANDLE>(gg_client_fd(c));
  if (h == nullptr || h == INVALID_HANDLE_VALUE) {
    std::printf("FAIL no handle\n");
    return 1;
  }
  if (WaitForSingleObject(h, 5000) != WAIT_OBJECT_0) {
    std::printf("FAIL handle not signalled\n");
    return 1;
  }
  int n = gg_client_dispatch(c);
  gg_event ev;
  if (n < 1 || gg_client_poll_event(c, 0, &ev) != 1 ||
      std::string(ev.verdict.reason_code) != "LICENSE_REVOKED") {
    std::printf("FAIL dispatch n=%d\n", n);
    return 1;
  }
  std::printf(
      "OK windows pipe: authorize, waitable handle, dispatch, event %s\n",
      ev.verdict.reason_code);
  gg_client_free(c);
  server.join();
  return 0;
}
