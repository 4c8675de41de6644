// Windows: "private" means a protected DACL (no inherited entries) that
// grants full control to SYSTEM, Administrators, the agent's service
// account (NT SERVICE\gg-agent, which the service runs as) and the file's
// owner only.
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <fstream>
#include <string>

#include "platform/private_file.h"
#include "platform/random.h"
#include "platform/service_account.h"

namespace gg {
namespace {

// P: protected; OICI: inherited by children of a directory.
std::wstring PrivateSddl() {
  std::wstring sddl = L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;";
  for (const char* c = kAgentServiceSid; *c != '\0'; ++c)
    sddl += static_cast<wchar_t>(*c);  // ASCII
  return sddl + L")(A;OICI;FA;;;OW)";
}

tl::unexpected<Error> WinError(const std::string& what,
                               const std::filesystem::path& p,
                               DWORD code) {
  return MakeError(
      ErrorCode::kIo,
      what + " " + p.string() + ": Windows error " + std::to_string(code));
}

Status ApplyPrivateAcl(const std::filesystem::path& p) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
          PrivateSddl().c_str(), SDDL_REVISION_1, &sd, nullptr))
    return WinError("cannot build ACL for", p, GetLastError());
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  Status result = Ok();
  if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted)) {
    result = WinError("cannot read ACL for", p, GetLastError());
  } else {
    std::wstring name = p.wstring();
    DWORD rc = SetNamedSecurityInfoW(
        name.data(), SE_FILE_OBJECT,
        DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
        nullptr, nullptr, dacl, nullptr);
    if (rc != ERROR_SUCCESS)
      result = WinError("cannot set ACL on", p, rc);
  }
  LocalFree(sd);
  return result;
}

}  // namespace

Status EnsurePrivateDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return MakeError(ErrorCode::kIo,
                     "cannot create " + dir.string() + ": " + ec.message());
  return ApplyPrivateAcl(dir);
}

Status MakeFilePrivate(const std::filesystem::path& file) {
  return ApplyPrivateAcl(file);
}

Result<FileKind> InspectOwnFile(const std::filesystem::path& file,
                                std::string* why) {
  const DWORD attributes = GetFileAttributesW(file.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    const DWORD code = GetLastError();
    if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
      return FileKind::kAbsent;
    return WinError("cannot stat", file, code);
  }
  // Ownership is the state folder's ACL's business (SYSTEM and
  // Administrators only); what is refused here is a link or a folder.
  if ((attributes &
       (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0) {
    if (why != nullptr)
      *why = "a link or a folder";
    return FileKind::kOther;
  }
  return FileKind::kOwnRegular;
}

Status WritePrivateFileAtomic(const std::filesystem::path& file,
                              std::string_view data) {
  auto suffix = RandomHex(6);
  if (!suffix)
    return tl::unexpected(suffix.error());
  std::filesystem::path tmp = file;
  tmp += ".tmp-" + *suffix;
  HANDLE h = CreateFileW(tmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE)
    return WinError("cannot create", tmp, GetLastError());
  DWORD written = 0;
  BOOL ok = WriteFile(h, data.data(), static_cast<DWORD>(data.size()), &written,
                      nullptr) &&
            written == data.size() && FlushFileBuffers(h);
  DWORD err = GetLastError();
  CloseHandle(h);
  if (!ok) {
    DeleteFileW(tmp.c_str());
    return WinError("cannot write", tmp, err);
  }
  if (auto acl = ApplyPrivateAcl(tmp); !acl) {
    DeleteFileW(tmp.c_str());
    return acl;
  }
  if (!MoveFileExW(tmp.c_str(), file.c_str(),
                   MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    err = GetLastError();
    DeleteFileW(tmp.c_str());
    return WinError("cannot rename", tmp, err);
  }
  return Ok();
}

Status OverwriteFileRange(const std::filesystem::path& file,
                          std::uint64_t offset,
                          std::string_view data) {
  // FILE_FLAG_OPEN_REPARSE_POINT: a link planted at the path is opened
  // itself (and refused below), never followed.
  HANDLE h = CreateFileW(
      file.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
      FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (h == INVALID_HANDLE_VALUE)
    return WinError("cannot open", file, GetLastError());
  Status result = Ok();
  BY_HANDLE_FILE_INFORMATION info{};
  if (!GetFileInformationByHandle(h, &info)) {
    result = WinError("cannot stat", file, GetLastError());
  } else {
    const std::uint64_t size =
        (static_cast<std::uint64_t>(info.nFileSizeHigh) << 32) |
        info.nFileSizeLow;
    if ((info.dwFileAttributes &
         (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0 ||
        size < offset + data.size()) {
      result =
          MakeError(ErrorCode::kIo,
                    file.string() + " is not a regular file holding the range");
    }
  }
  if (result) {
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>(offset & 0xffffffffu);
    at.OffsetHigh = static_cast<DWORD>(offset >> 32);
    DWORD written = 0;
    if (!WriteFile(h, data.data(), static_cast<DWORD>(data.size()), &written,
                   &at) ||
        written != data.size()) {
      result = WinError("cannot write", file, GetLastError());
    } else if (!FlushFileBuffers(h)) {
      result = WinError("cannot flush", file, GetLastError());
    }
  }
  CloseHandle(h);
  return result;
}

Result<bool> IsOwnerOnly(const std::filesystem::path& file) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  DWORD rc = GetNamedSecurityInfoW(file.c_str(), SE_FILE_OBJECT,
                                   DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                   &dacl, nullptr, &sd);
  if (rc != ERROR_SUCCESS)
    return WinError("cannot read ACL of", file, rc);
  // Owner-only means no allow entry for Everyone, Users or Authenticated
  // Users; anything else on the list is the owner, SYSTEM or Administrators.
  bool owner_only = dacl != nullptr;
  if (dacl) {
    for (DWORD i = 0; i < dacl->AceCount && owner_only; ++i) {
      void* ace = nullptr;
      if (!GetAce(dacl, i, &ace))
        continue;
      auto* header = static_cast<ACE_HEADER*>(ace);
      if (header->AceType != ACCESS_ALLOWED_ACE_TYPE)
        continue;
      PSID sid = &static_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart;
      for (WELL_KNOWN_SID_TYPE broad :
           {WinWorldSid, WinBuiltinUsersSid, WinAuthenticatedUserSid}) {
        if (IsWellKnownSid(sid, broad))
          owner_only = false;
      }
    }
  }
  LocalFree(sd);
  return owner_only;
}

}  // namespace gg
