#include "ipc/peer_credentials.h"

#include <windows.h>

namespace gg::ipc {

namespace {

// Administrators (enabled in the token: an elevated admin or LocalSystem)
// count as uid 0, the root of the POSIX rules (`sessions`, the per-uid
// budget they share); anyone else as the RID of their user SID, so each
// account gets its own per-uid budget. -1 when the token cannot be read.
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

}  // namespace

long long ProcessUid(long long pid) {
  HANDLE process = pid == static_cast<long long>(GetCurrentProcessId())
                       ? GetCurrentProcess()
                       : OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                                     static_cast<DWORD>(pid));
  if (process == nullptr) {
    return -1;
  }
  long long uid = -1;
  HANDLE token = nullptr;
  if (OpenProcessToken(process, TOKEN_QUERY | TOKEN_DUPLICATE, &token)) {
    uid = TokenUid(token);
    CloseHandle(token);
  }
  if (process != GetCurrentProcess()) {
    CloseHandle(process);
  }
  return uid;
}

Peer ReadPeerCredentials(std::intptr_t native_handle) {
  Peer peer;
  ULONG pid = 0;
  // The pipe HANDLE travels as an integer so the header needs no OS type.
  if (GetNamedPipeClientProcessId(reinterpret_cast<HANDLE>(native_handle),
                                  &pid) != 0) {
    peer.pid = static_cast<long long>(pid);
    // The client's process token (the agent runs as LocalSystem and may
    // open it). The pipe client cannot be impersonated before it has sent
    // data, and identity is needed at accept.
    peer.uid = ProcessUid(peer.pid);
  }
  return peer;
}

bool PeerInGroups(const Peer&, const std::vector<long long>&) {
  return false;  // allowedGroups is refused on Windows (service/os_config)
}

}  // namespace gg::ipc
