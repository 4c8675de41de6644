// The SCM protocol: dispatcher, ServiceMain, control handler, status
// reports; and the console fallback.
#include <windows.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include <fstream>
#include <memory>

#include <spdlog/spdlog.h>

#include "platform/paths.h"
#include "platform/private_file.h"
#include "service/windows_service.h"

namespace gg::service {
namespace {

// Generous: start includes reading the hardware ID and verifying every
// cached verdict; stop is bounded by the agent's own 2 s.
constexpr DWORD kStartWaitHintMs = 30000;
constexpr DWORD kStopWaitHintMs = 10000;

// Holds the one agent's control once RunAgent has handed it over. A stop
// that arrives earlier is remembered and applied then. Used from the SCM's
// handler thread (or the console handler thread) and the agent's loop.
class ControlSlot {
 public:
  void Set(AgentControl* control) {
    std::lock_guard lock(mutex_);
    control_ = control;
    if (control_ && stop_pending_)
      control_->RequestStop();
  }
  void Stop() {
    std::lock_guard lock(mutex_);
    stop_pending_ = true;
    if (control_)
      control_->RequestStop();
  }
  void Reload() {
    std::lock_guard lock(mutex_);
    if (control_)
      control_->RequestReload();
  }

 private:
  std::mutex mutex_;
  AgentControl* control_ = nullptr;
  bool stop_pending_ = false;
};

// What the SCM is told. Pending states carry a growing checkpoint so the
// SCM sees progress, final states none.
class StatusReporter {
 public:
  void Attach(SERVICE_STATUS_HANDLE handle) { handle_ = handle; }

  void Report(DWORD state, DWORD wait_hint_ms, DWORD exit_code = 0) {
    std::lock_guard lock(mutex_);
    if (!handle_)
      return;
    SERVICE_STATUS status{};
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted =
        state == SERVICE_RUNNING
            ? (SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
               SERVICE_ACCEPT_PARAMCHANGE)
        : state == SERVICE_START_PENDING
            ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN
            : 0;
    if (exit_code != 0) {
      status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
      status.dwServiceSpecificExitCode = exit_code;
    }
    bool pending =
        state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    status.dwCheckPoint = pending ? ++checkpoint_ : 0;
    status.dwWaitHint = pending ? wait_hint_ms : 0;
    if (!SetServiceStatus(handle_, &status))
      spdlog::warn("SetServiceStatus failed: Windows error {}", GetLastError());
  }

 private:
  std::mutex mutex_;
  SERVICE_STATUS_HANDLE handle_ = nullptr;
  DWORD checkpoint_ = 0;
};

// ServiceMain and the handler get no context from the dispatcher, so the
// service's state lives here, for the one service of this process.
ControlSlot g_control;
StatusReporter g_status;
const RunOptions* g_options = nullptr;
std::atomic<int> g_exit_code{1};

class WindowsServiceHost final : public ServiceHost {
 public:
  void Started(AgentControl& control) override { g_control.Set(&control); }
  void Ready() override {
    g_status.Report(SERVICE_RUNNING, 0);
    ReportServiceEvent(L"GeckoGuard Agent started.", false);
  }
  void Stopping() override {
    g_status.Report(SERVICE_STOP_PENDING, kStopWaitHintMs);
  }
};

// A service has no console: its log lines go to a file under
// %ProgramData%\GeckoGuard\Agent\logs, appended to, in a folder only SYSTEM
// and Administrators can read. A failure is reported to the event log and
// the agent runs on (logging to a stderr that goes nowhere).
std::unique_ptr<std::ofstream> OpenLogFile() {
  auto dir = SystemPaths().log_dir;
  if (auto made = EnsurePrivateDirectory(dir); !made) {
    ReportServiceEvent(L"cannot create the log folder " + dir.wstring(), true);
    return nullptr;
  }
  auto file = dir / L"gg-agent.log";
  auto out = std::make_unique<std::ofstream>(file, std::ios::app);
  if (!*out) {
    ReportServiceEvent(L"cannot open the log file " + file.wstring(), true);
    return nullptr;
  }
  return out;
}

DWORD WINAPI ControlHandler(DWORD control, DWORD, LPVOID, LPVOID) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
      g_status.Report(SERVICE_STOP_PENDING, kStopWaitHintMs);
      g_control.Stop();
      return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE:
      g_control.Reload();
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void WINAPI ServiceMain(DWORD, LPWSTR*) {
  SERVICE_STATUS_HANDLE handle = RegisterServiceCtrlHandlerExW(
      const_cast<LPWSTR>(kServiceName), ControlHandler, nullptr);
  if (!handle) {
    ReportServiceEvent(L"RegisterServiceCtrlHandlerEx failed", true);
    return;
  }
  g_status.Attach(handle);
  g_status.Report(SERVICE_START_PENDING, kStartWaitHintMs);
  auto log_file = OpenLogFile();
  RunOptions options = *g_options;
  options.log_out = log_file.get();

  WindowsServiceHost host;
  int rc = RunAgent(options, host);
  g_exit_code = rc;
  g_control.Set(nullptr);
  if (rc != 0)
    ReportServiceEvent(L"GeckoGuard Agent stopped with exit code " +
                           std::to_wstring(rc) + L"; see the log file in " +
                           SystemPaths().log_dir.wstring(),
                       true);
  else
    ReportServiceEvent(L"GeckoGuard Agent stopped.", false);
  // A non-zero service-specific code lets the recovery actions restart us.
  g_status.Report(SERVICE_STOPPED, 0, static_cast<DWORD>(rc));
}

// Console mode: Ctrl-C, Ctrl-Break and closing the window stop the agent.
class ConsoleHost final : public ServiceHost {
 public:
  void Started(AgentControl& control) override { g_control.Set(&control); }
};

BOOL WINAPI ConsoleHandler(DWORD event) {
  switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      g_control.Stop();
      return TRUE;
    default:
      return FALSE;
  }
}

int RunInConsole(const RunOptions& options) {
  if (!SetConsoleCtrlHandler(ConsoleHandler, TRUE))
    spdlog::warn("cannot install the Ctrl-C handler: Windows error {}",
                 GetLastError());
  ConsoleHost host;
  int rc = RunAgent(options, host);
  g_control.Set(nullptr);
  SetConsoleCtrlHandler(ConsoleHandler, FALSE);
  return rc;
}

}  // namespace

int RunWindowsAgent(const RunOptions& options) {
  RunOptions service_options = options;
  service_options.handle_signals = false;  // the SCM or Ctrl-C stop us
  g_options = &service_options;
  SERVICE_TABLE_ENTRYW table[] = {
      {const_cast<LPWSTR>(kServiceName), ServiceMain}, {nullptr, nullptr}};
  if (StartServiceCtrlDispatcherW(table))
    return g_exit_code;  // ServiceMain ran and returned
  DWORD err = GetLastError();
  if (err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
    return RunInConsole(service_options);  // not started by the SCM
  spdlog::error("StartServiceCtrlDispatcher failed: Windows error {}", err);
  return 1;
}

std::wstring ServiceCommandLine(const std::filesystem::path& exe,
                                const std::filesystem::path& config) {
  return L"\"" + exe.wstring() + L"\" run --config \"" + config.wstring() +
         L"\"";
}

void ReportServiceEvent(const std::wstring& message, bool error) {
  HANDLE source = RegisterEventSourceW(nullptr, kEventSource);
  if (!source)
    return;
  LPCWSTR strings[] = {message.c_str()};
  // Event id 1, category 0: one free-text string per event.
  ReportEventW(source, error ? EVENTLOG_ERROR_TYPE : EVENTLOG_INFORMATION_TYPE,
               0, 1, nullptr, 1, 0, strings, nullptr);
  DeregisterEventSource(source);
}

}  // namespace gg::service
