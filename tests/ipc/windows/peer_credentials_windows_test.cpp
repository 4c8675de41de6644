// The pipe server's view of its client (ipc/peer_credentials_windows.cpp):
// the account is read from the client's token by impersonation, once the
// client's first bytes have been read.
#include <windows.h>

#include <string>

#include <gtest/gtest.h>

#include "ipc/peer_credentials.h"

namespace gg::ipc {
namespace {

constexpr wchar_t kPipe[] = L"\\\\.\\pipe\\gg-peer-credentials-test";

class Handle {
 public:
  explicit Handle(HANDLE h) : h_(h) {}
  ~Handle() {
    if (h_ != INVALID_HANDLE_VALUE)
      CloseHandle(h_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HANDLE get() const { return h_; }

 private:
  HANDLE h_;
};

// A client that connected at identification level and wrote a byte is
// identified as this process's account and pid, as the agent reads its own.
TEST(PeerCredentialsWindowsTest, ClientIdentifiedByImpersonationAfterARead) {
  Handle server(CreateNamedPipeW(kPipe, PIPE_ACCESS_DUPLEX,
                                 PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0,
                                 nullptr));
  ASSERT_NE(server.get(), INVALID_HANDLE_VALUE) << GetLastError();
  Handle client(CreateFileW(
      kPipe, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, 0, nullptr,
      OPEN_EXISTING, SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr));
  ASSERT_NE(client.get(), INVALID_HANDLE_VALUE) << GetLastError();
  DWORD n = 0;
  ASSERT_TRUE(WriteFile(client.get(), "x", 1, &n, nullptr));
  char byte = 0;
  ASSERT_TRUE(ReadFile(server.get(), &byte, 1, &n, nullptr));

  Peer peer =
      ReadPeerCredentials(reinterpret_cast<std::intptr_t>(server.get()));
  EXPECT_EQ(peer.pid, static_cast<long long>(GetCurrentProcessId()));
  EXPECT_GE(peer.uid, 0);
  EXPECT_EQ(peer.uid, OwnProcessUid());
  // Reverted: the thread runs as itself again, with no impersonation token.
  HANDLE token = nullptr;
  EXPECT_FALSE(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_TOKEN));
}

// Not a pipe: nothing is known and the listener refuses the peer.
TEST(PeerCredentialsWindowsTest, NotAPipeIsUnknown) {
  Peer peer = ReadPeerCredentials(
      reinterpret_cast<std::intptr_t>(INVALID_HANDLE_VALUE));
  EXPECT_EQ(peer.uid, -1);
}

}  // namespace
}  // namespace gg::ipc
