// `gg-agent install` / `uninstall` on Windows: register the service with the
// SCM (automatic start, the virtual account NT SERVICE\gg-agent with only
// SeChangeNotifyPrivilege, description, recovery actions), its event-log
// source, and the private %ProgramData%\GeckoGuard\Agent folders.
//
// Why not LocalSystem: nothing the agent reads needs it. SMBIOS
// (GetSystemFirmwareTable 'RSMB'), MachineGuid (HKLM, readable by Users),
// the adapters (GetAdaptersAddresses) and the disks (opened with no access
// rights for IOCTL_STORAGE_QUERY_PROPERTY) are open to any account; the
// pipe and the %ProgramData% folders it needs are granted to its SID.
#include <windows.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "platform/paths.h"
#include "platform/private_file.h"
#include "platform/service_account.h"
#include "platform/windows/wide_string.h"
#include "service/commands.h"
#include "service/windows_service.h"

namespace gg::service {
namespace {

constexpr wchar_t kEventLogKey[] =
    L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\"
    L"GeckoGuard Agent";

// Closes an SC_HANDLE on every path out.
class ScHandle {
 public:
  explicit ScHandle(SC_HANDLE h) : h_(h) {}
  ~ScHandle() {
    if (h_)
      CloseServiceHandle(h_);
  }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
  SC_HANDLE get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }

 private:
  SC_HANDLE h_;
};

int Fail(std::ostream& err, const char* what, DWORD code) {
  err << "gg-agent: " << what << " failed: Windows error " << code;
  if (code == ERROR_ACCESS_DENIED)
    err << " (run from an elevated prompt)";
  err << "\n";
  return kExitFailure;
}

std::filesystem::path ExecutablePath() {
  std::vector<wchar_t> buf(MAX_PATH);
  for (;;) {
    DWORD n =
        GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
    if (n == 0)
      return {};
    if (n < buf.size())
      return std::filesystem::path(std::wstring(buf.data(), n));
    buf.resize(buf.size() * 2);
  }
}

// Restart after 5 s, 30 s, then every 60 s; forget failures after a day.
// Also on a clean exit with an error code, not only on a crash.
bool SetRecoveryActions(SC_HANDLE service) {
  SC_ACTION actions[] = {{SC_ACTION_RESTART, 5000},
                         {SC_ACTION_RESTART, 30000},
                         {SC_ACTION_RESTART, 60000}};
  SERVICE_FAILURE_ACTIONSW failure{};
  failure.dwResetPeriod = 24 * 60 * 60;
  failure.cActions = 3;
  failure.lpsaActions = actions;
  if (!ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS, &failure))
    return false;
  SERVICE_FAILURE_ACTIONS_FLAG flag{};
  flag.fFailureActionsOnNonCrashFailures = TRUE;
  return ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG,
                               &flag) != 0;
}

// The account's least privilege: its service SID unrestricted (the folders'
// and the pipe's ACLs name it), and of the privileges a virtual account
// holds only SeChangeNotifyPrivilege (bypass traverse checking, which every
// path lookup below a folder the agent may not list relies on). Nothing
// the agent does needs another: no impersonation beyond identification
// level (which needs no SeImpersonatePrivilege), no global objects, no
// backup or debug rights.
// Every Windows since Vista has both settings; an SCM that knows neither
// (wine's answers ERROR_INVALID_LEVEL) gets a warning, any other failure
// fails the install.
bool SetConfig2(SC_HANDLE service,
                DWORD level,
                void* info,
                const char* what,
                std::ostream& err) {
  if (ChangeServiceConfig2W(service, level, info))
    return true;
  const DWORD code = GetLastError();
  if (code != ERROR_INVALID_LEVEL) {
    Fail(err, what, code);
    return false;
  }
  err << "gg-agent: warning: this service manager does not support " << what
      << " (Windows error " << code << ")\n";
  return true;
}

bool SetLeastPrivilege(SC_HANDLE service, std::ostream& err) {
  SERVICE_SID_INFO sid{SERVICE_SID_TYPE_UNRESTRICTED};
  // A double-NUL-terminated list.
  static wchar_t privileges[] = L"SeChangeNotifyPrivilege\0";
  SERVICE_REQUIRED_PRIVILEGES_INFOW required{privileges};
  return SetConfig2(service, SERVICE_CONFIG_SERVICE_SID_INFO, &sid,
                    "SERVICE_CONFIG_SERVICE_SID_INFO", err) &&
         SetConfig2(service, SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, &required,
                    "SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO", err);
}

bool RegisterEventLogSource(const std::filesystem::path& exe) {
  HKEY key = nullptr;
  if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, kEventLogKey, 0, nullptr,
                      REG_OPTION_NON_VOLATILE, KEY_SET_VALUE, nullptr, &key,
                      nullptr) != ERROR_SUCCESS)
    return false;
  std::wstring file = exe.wstring();
  DWORD types =
      EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
  bool ok =
      RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ,
                     reinterpret_cast<const BYTE*>(file.c_str()),
                     static_cast<DWORD>((file.size() + 1) * sizeof(wchar_t))) ==
          ERROR_SUCCESS &&
      RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD,
                     reinterpret_cast<const BYTE*>(&types),
                     sizeof types) == ERROR_SUCCESS;
  RegCloseKey(key);
  return ok;
}

// Asks a running service to stop and waits (bounded) until it has.
void StopAndWait(SC_HANDLE service) {
  SERVICE_STATUS status{};
  if (!ControlService(service, SERVICE_CONTROL_STOP, &status))
    return;  // not running, or cannot: DeleteService still marks it
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (status.dwCurrentState != SERVICE_STOPPED &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (!QueryServiceStatus(service, &status))
      return;
  }
}

}  // namespace

int InstallCommand(std::ostream& out, std::ostream& err) {
  auto exe = ExecutablePath();
  if (exe.empty())
    return Fail(err, "GetModuleFileName", GetLastError());
  DefaultPaths paths = SystemPaths();
  // Folder ACLs first: SYSTEM, Administrators and the agent's account
  // only, before any secret or cached verdict lands there.
  for (const auto& dir :
       {paths.config_file.parent_path(), paths.state_dir, paths.log_dir}) {
    if (auto made = EnsurePrivateDirectory(dir); !made) {
      err << "gg-agent: " << made.error().message << "\n";
      return kExitFailure;
    }
  }

  ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE));
  if (!scm)
    return Fail(err, "OpenSCManager", GetLastError());
  std::wstring command = ServiceCommandLine(exe, paths.config_file);
  // A virtual account: no password (null), the SCM manages it.
  const std::wstring account = gg::Widen(kAgentServiceAccount);
  SC_HANDLE raw = CreateServiceW(
      scm.get(), kServiceName, kServiceDisplayName, SERVICE_ALL_ACCESS,
      SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
      command.c_str(), nullptr, nullptr, nullptr, account.c_str(), nullptr);
  bool existed = false;
  if (!raw) {
    DWORD code = GetLastError();
    if (code != ERROR_SERVICE_EXISTS)
      return Fail(err, "CreateService", code);
    // Reinstall (an upgrade, a moved binary): update it in place.
    existed = true;
    raw = OpenServiceW(scm.get(), kServiceName, SERVICE_ALL_ACCESS);
    if (!raw)
      return Fail(err, "OpenService", GetLastError());
  }
  ScHandle service(raw);
  if (existed &&
      !ChangeServiceConfigW(service.get(), SERVICE_WIN32_OWN_PROCESS,
                            SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                            command.c_str(), nullptr, nullptr, nullptr,
                            account.c_str(), nullptr, kServiceDisplayName))
    return Fail(err, "ChangeServiceConfig", GetLastError());
  // An upgrade from a LocalSystem install is narrowed here too.
  if (!SetLeastPrivilege(service.get(), err))
    return kExitFailure;
  SERVICE_DESCRIPTIONW description{const_cast<LPWSTR>(kServiceDescription)};
  if (!ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DESCRIPTION,
                             &description))
    return Fail(err, "ChangeServiceConfig2 (description)", GetLastError());
  // Without recovery actions the service still runs; a warning, not a
  // failed install (wine's SCM, for one, has none).
  if (!SetRecoveryActions(service.get()))
    err << "gg-agent: warning: cannot set the recovery actions: Windows "
        << "error " << GetLastError() << "\n";
  if (!RegisterEventLogSource(exe))
    err << "gg-agent: warning: cannot register the event log source\n";

  out << (existed ? "Updated" : "Installed") << " the service gg-agent"
      << " (automatic start, " << kAgentServiceAccount << ").\n"
      << "Put the configuration in " << paths.config_file.string()
      << ", then run:\n  sc start gg-agent\n";
  return kExitOk;
}

int UninstallCommand(std::ostream& out, std::ostream& err) {
  ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (!scm)
    return Fail(err, "OpenSCManager", GetLastError());
  ScHandle service(OpenServiceW(scm.get(), kServiceName,
                                DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS));
  if (!service) {
    DWORD code = GetLastError();
    if (code == ERROR_SERVICE_DOES_NOT_EXIST) {
      out << "The service gg-agent is not installed.\n";
      return kExitOk;
    }
    return Fail(err, "OpenService", code);
  }
  StopAndWait(service.get());
  if (!DeleteService(service.get()))
    return Fail(err, "DeleteService", GetLastError());
  LSTATUS rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, kEventLogKey);
  if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
    err << "gg-agent: warning: cannot remove the event log source\n";
  out << "Removed the service gg-agent. The cached verdicts stay in "
      << SystemPaths().state_dir.string() << " until you delete them.\n";
  return kExitOk;
}

}  // namespace gg::service
