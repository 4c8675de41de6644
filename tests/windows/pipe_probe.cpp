// gg_pipe_probe: what another local process can do to the agent's pipe,
// for tests/windows/e2e_wine_test.py.
//
//   gg_pipe_probe dacl NAME   reads the live pipe's DACL; exit 1 when an
//                             entry for anyone but SYSTEM or Administrators
//                             grants more than read/write data (notably
//                             FILE_CREATE_PIPE_INSTANCE, in GENERIC_WRITE)
//   gg_pipe_probe squat NAME  creates the first instance of NAME, prints
//                             "squatting" and holds it until killed
//   gg_pipe_probe acl PATH    prints the allow entries of a file or
//                             folder's DACL ("allow SID MASK" lines)
//   gg_pipe_probe service NAME  prints the service's account
//                             ("account X") and required privileges
//                             ("privilege X" lines)
//   gg_pipe_probe silent NAME  opens 70 connections that send nothing (more
//                             than ipc.maxConnectionsPerUid, 64), then asks
//                             `ping` on a new one; prints "answered" or
//                             "unanswered", then "dropped K": how many of
//                             the silent ones the agent closed
//   gg_pipe_probe self        prints this process's account ("self SID")
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <cstdio>
#include <cwchar>
#include <string>
#include <vector>

#include "platform/windows/wide_string.h"

namespace {

std::string SidText(PSID sid) {
  LPSTR text = nullptr;
  if (!ConvertSidToStringSidA(sid, &text)) {
    return "?";
  }
  std::string out(text);
  LocalFree(text);
  return out;
}

int Dacl(const std::wstring& name) {
  HANDLE pipe = CreateFileW(name.c_str(), READ_CONTROL, 0, nullptr,
                            OPEN_EXISTING, 0, nullptr);
  if (pipe == INVALID_HANDLE_VALUE) {
    std::printf("cannot open the pipe: error %lu\n", GetLastError());
    return 2;
  }
  PACL dacl = nullptr;
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  DWORD rc =
      GetSecurityInfo(pipe, SE_KERNEL_OBJECT,
                      DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION,
                      &owner, nullptr, &dacl, nullptr, &sd);
  CloseHandle(pipe);
  if (rc != ERROR_SUCCESS || dacl == nullptr || owner == nullptr) {
    std::printf("cannot read the DACL and owner: error %lu\n", rc);
    return 2;
  }
  // The owner is the agent's account, which creates the next instances.
  std::printf("owner %s\n", SidText(owner).c_str());
  // Beyond read/write data and reading its attributes and ACL: creating
  // instances, writing attributes or EAs, changing the ACL or owner.
  constexpr DWORD kTooMuch = FILE_CREATE_PIPE_INSTANCE | FILE_WRITE_EA |
                             FILE_WRITE_ATTRIBUTES | WRITE_DAC | WRITE_OWNER |
                             DELETE | GENERIC_WRITE | GENERIC_ALL;
  int bad = 0;
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!GetAce(dacl, i, &ace)) {
      continue;
    }
    auto* header = static_cast<ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) {
      continue;
    }
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    PSID sid = &allowed->SidStart;
    bool trusted = IsWellKnownSid(sid, WinLocalSystemSid) ||
                   IsWellKnownSid(sid, WinBuiltinAdministratorsSid) ||
                   EqualSid(sid, owner);
    bool too_much = !trusted && (allowed->Mask & kTooMuch) != 0;
    std::printf("allow %s 0x%08lx%s\n", SidText(sid).c_str(), allowed->Mask,
                too_much ? "  <- more than read/write data" : "");
    bad += too_much ? 1 : 0;
  }
  LocalFree(sd);
  return bad == 0 ? 0 : 1;
}

int Acl(const std::wstring& path) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  DWORD rc = GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT,
                                   DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                   &dacl, nullptr, &sd);
  if (rc != ERROR_SUCCESS || dacl == nullptr) {
    std::printf("cannot read the DACL: error %lu\n", rc);
    return 2;
  }
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (GetAce(dacl, i, &ace) &&
        static_cast<ACE_HEADER*>(ace)->AceType == ACCESS_ALLOWED_ACE_TYPE) {
      auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
      std::printf("allow %s 0x%08lx\n", SidText(&allowed->SidStart).c_str(),
                  allowed->Mask);
    }
  }
  LocalFree(sd);
  return 0;
}

int Service(const std::wstring& name) {
  SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  SC_HANDLE service =
      scm ? OpenServiceW(scm, name.c_str(), SERVICE_QUERY_CONFIG) : nullptr;
  if (service == nullptr) {
    std::printf("cannot open the service: error %lu\n", GetLastError());
    return 2;
  }
  int rc = 0;
  std::vector<BYTE> buf(8192);
  DWORD needed = 0;
  if (QueryServiceConfigW(service,
                          reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf.data()),
                          static_cast<DWORD>(buf.size()), &needed)) {
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf.data());
    std::printf("account %ls\n", config->lpServiceStartName
                                     ? config->lpServiceStartName
                                     : L"(none)");
  } else {
    std::printf("cannot read the config: error %lu\n", GetLastError());
    rc = 2;
  }
  if (QueryServiceConfig2W(service, SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO,
                           buf.data(), static_cast<DWORD>(buf.size()),
                           &needed)) {
    auto* info =
        reinterpret_cast<SERVICE_REQUIRED_PRIVILEGES_INFOW*>(buf.data());
    for (const wchar_t* p = info->pmszRequiredPrivileges; p && *p;
         p += wcslen(p) + 1)
      std::printf("privilege %ls\n", p);
  } else {
    std::printf("cannot read the required privileges: error %lu\n",
                GetLastError());
  }
  CloseServiceHandle(service);
  CloseServiceHandle(scm);
  return rc;
}

std::string OwnSid() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
    return "?";
  }
  std::vector<BYTE> buf(512);
  DWORD size = 0;
  std::string out = "?";
  if (GetTokenInformation(token, TokenUser, buf.data(),
                          static_cast<DWORD>(buf.size()), &size)) {
    out = SidText(reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid);
  }
  CloseHandle(token);
  return out;
}

HANDLE OpenClient(const std::wstring& name) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    HANDLE pipe = CreateFileW(
        name.c_str(),
        FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
        0, nullptr, OPEN_EXISTING,
        SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr);
    if (pipe != INVALID_HANDLE_VALUE || GetLastError() != ERROR_PIPE_BUSY) {
      return pipe;
    }
    WaitNamedPipeW(name.c_str(), 100);
  }
  return INVALID_HANDLE_VALUE;
}

int Silent(const std::wstring& name) {
  constexpr int kSilent = 70;
  std::vector<HANDLE> silent;
  for (int i = 0; i < kSilent; ++i) {
    HANDLE pipe = OpenClient(name);
    if (pipe == INVALID_HANDLE_VALUE) {
      std::printf("cannot open silent connection %d: error %lu\n", i,
                  GetLastError());
      return 2;
    }
    silent.push_back(pipe);
  }
  Sleep(1000);  // the agent takes each one in
  HANDLE asker = OpenClient(name);
  bool answered = false;
  if (asker != INVALID_HANDLE_VALUE) {
    const char ping[] = "{\"id\":1,\"op\":\"ping\"}\n";
    DWORD n = 0;
    char buf[512];
    answered = WriteFile(asker, ping, sizeof(ping) - 1, &n, nullptr) &&
               ReadFile(asker, buf, sizeof(buf), &n, nullptr) && n > 0;
    CloseHandle(asker);
  }
  std::printf("%s\n", answered ? "answered" : "unanswered");
  int dropped = 0;
  for (HANDLE pipe : silent) {
    DWORD avail = 0;
    if (!PeekNamedPipe(pipe, nullptr, 0, nullptr, &avail, nullptr)) {
      ++dropped;  // ERROR_BROKEN_PIPE: the agent closed it
    }
    CloseHandle(pipe);
  }
  std::printf("dropped %d\n", dropped);
  return answered ? 0 : 1;
}

int Squat(const std::wstring& name) {
  HANDLE pipe = CreateNamedPipeW(
      name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0,
      nullptr);
  if (pipe == INVALID_HANDLE_VALUE) {
    std::printf("cannot create the pipe: error %lu\n", GetLastError());
    return 2;
  }
  std::printf("squatting\n");
  std::fflush(stdout);
  Sleep(INFINITE);  // until the test kills us
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "self") {
    std::printf("self %s\n", OwnSid().c_str());
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr,
                 "usage: gg_pipe_probe dacl|squat|acl|service|silent NAME\n"
                 "       gg_pipe_probe self\n");
    return 2;
  }
  std::wstring name = gg::Widen(argv[2]);
  std::string cmd = argv[1];
  if (cmd == "dacl") {
    return Dacl(name);
  }
  if (cmd == "squat") {
    return Squat(name);
  }
  if (cmd == "acl") {
    return Acl(name);
  }
  if (cmd == "service") {
    return Service(name);
  }
  if (cmd == "silent") {
    return Silent(name);
  }
  std::fprintf(stderr, "unknown command %s\n", argv[1]);
  return 2;
}
