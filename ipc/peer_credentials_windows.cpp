// Windows: who is on the other end of a pipe, read from the client's own
// token by identification-level impersonation, so it works whichever
// account the agent runs as (the virtual account NT SERVICE\gg-agent may
// not open other users' processes or their tokens).
#include "ipc/peer_credentials.h"

#include <windows.h>

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace gg::ipc {

namespace {

// Administrators (enabled in the token: an elevated admin or LocalSystem)
// count as uid 0, the root of the POSIX rules (`sessions`, the per-uid
// budget they share); anyone else as the RID of their user SID, so each
// account gets its own per-uid budget. -1 when the token cannot be read.
// `token` needs TOKEN_QUERY and TOKEN_DUPLICATE.
long long TokenUid(HANDLE token) {
  HANDLE identification = nullptr;
  if (!DuplicateToken(token, SecurityIdentification, &identification)) {
    return -1;
  }
  BYTE admins[SECURITY_MAX_SID_SIZE];
  DWORD admins_size = sizeof(admins);
  BOOL member = FALSE;
  bool checked = CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr,
                                    admins, &admins_size) &&
                 CheckTokenMembership(identification, admins, &member);
  CloseHandle(identification);
  if (!checked) {
    return -1;
  }
  if (member) {
    return 0;
  }
  union {
    TOKEN_USER user;
    BYTE bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
  } info;
  DWORD size = 0;
  if (!GetTokenInformation(token, TokenUser, &info, sizeof(info), &size) ||
      !IsValidSid(info.user.User.Sid)) {
    return -1;
  }
  UCHAR count = *GetSidSubAuthorityCount(info.user.User.Sid);
  if (count == 0) {
    return -1;
  }
  return static_cast<long long>(
      *GetSidSubAuthority(info.user.User.Sid, count - 1u));
}

// Impersonates the pipe's client on this thread just long enough to read
// its token. -1 when any step fails. The client connected with
// SECURITY_IDENTIFICATION, so the thread can learn who it is but never
// act as it.
long long ClientUid(HANDLE pipe) {
  if (!ImpersonateNamedPipeClient(pipe)) {
    // ERROR_CANNOT_IMPERSONATE: nothing has been read from the pipe yet.
    spdlog::debug("ipc: ImpersonateNamedPipeClient failed: error {}",
                  GetLastError());
    return -1;
  }
  HANDLE token = nullptr;
  // OpenAsSelf: the access check is made against the agent's own token;
  // at identification level the client's would not be allowed to open it.
  const BOOL opened = OpenThreadToken(
      GetCurrentThread(), TOKEN_QUERY | TOKEN_DUPLICATE, TRUE, &token);
  const DWORD open_error = GetLastError();
  if (!RevertToSelf()) {
    // The loop thread would go on as the client: never continue.
    spdlog::critical("ipc: RevertToSelf failed: error {}", GetLastError());
    std::abort();
  }
  if (!opened) {
    spdlog::debug("ipc: OpenThreadToken failed: error {}", open_error);
    return -1;
  }
  const long long uid = TokenUid(token);
  CloseHandle(token);
  return uid;
}

}  // namespace

long long OwnProcessUid() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE,
                        &token)) {
    return -1;
  }
  const long long uid = TokenUid(token);
  CloseHandle(token);
  return uid;
}

Peer ReadPeerCredentials(std::intptr_t native_handle) {
  Peer peer;
  // The pipe HANDLE travels as an integer so the header needs no OS type.
  HANDLE pipe = reinterpret_cast<HANDLE>(native_handle);
  ULONG pid = 0;
  if (GetNamedPipeClientProcessId(pipe, &pid) == 0) {
    return peer;  // all unknown: the listener refuses the peer
  }
  peer.pid = static_cast<long long>(pid);
  peer.uid = ClientUid(pipe);
  return peer;
}

bool PeerInGroups(const Peer&, const std::vector<long long>&) {
  return false;  // allowedGroups is refused on Windows (service/os_config)
}

}  // namespace gg::ipc
