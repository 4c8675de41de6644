// Runs the Windows service pieces for real under wine (or Windows), with a
// fake agent: `gg-agent install` through the SCM, the SCM starting this very
// program as the service, PARAMCHANGE and STOP through the control handler,
// the exit code, and `uninstall`. Prints each step; exits non-zero on the
// first failure. Built in the Windows build (tests/service/CMakeLists.txt).
#include <windows.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "platform/paths.h"
#include "platform/random.h"
#include "platform/service_account.h"
#include "platform/windows/wide_string.h"
#include "service/commands.h"
#include "service/run_agent.h"
#include "service/windows_service.h"

namespace gg::service {
namespace {

// Where the fake agent writes what happened to it, for the driver to read.
std::filesystem::path TracePath() {
  return SystemPaths().log_dir / L"smoke-trace.txt";
}

void Trace(const std::string& line) {
  std::ofstream(TracePath(), std::ios::app) << line << "\n";
}

// The fake agent's control: stop ends the run, reload is recorded.
class FakeControl final : public AgentControl {
 public:
  FakeControl() : stop_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {}
  ~FakeControl() override { CloseHandle(stop_); }
  void RequestStop() override { SetEvent(stop_); }
  void RequestReload() override { Trace("reload"); }
  void Wait() { WaitForSingleObject(stop_, 60000); }

 private:
  HANDLE stop_;
};

}  // namespace

// The fake RunAgent: up, ready, wait for stop, exit 0.
int RunAgent(const RunOptions& options, ServiceHost& host) {
  Trace("run config=" + options.config_path.string() +
        " signals=" + (options.handle_signals ? "1" : "0"));
  // The real RunAgent logs to options.log_out (the file, in service mode).
  if (options.log_out)
    *options.log_out << "smoke: agent log line" << std::endl;
  FakeControl control;
  host.Started(control);
  host.Ready();
  control.Wait();
  host.Stopping();
  Trace("stopped");
  return 0;
}

}  // namespace gg::service

namespace {

using gg::service::kServiceName;

int failures = 0;

// Whether the event-log source "GeckoGuard Agent" is registered.
bool EventSourceRegistered() {
  HKEY key = nullptr;
  LSTATUS rc = RegOpenKeyExW(
      HKEY_LOCAL_MACHINE,
      L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\"
      L"GeckoGuard Agent",
      0, KEY_READ, &key);
  if (rc != ERROR_SUCCESS)
    return false;
  RegCloseKey(key);
  return true;
}

bool UnderWine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}
void Check(bool ok, const std::string& what) {
  std::cout << (ok ? "ok   " : "FAIL ") << what << std::endl;
  if (!ok)
    ++failures;
}

// Polls the service state until `want` or a bounded deadline.
bool WaitForState(SC_HANDLE service, DWORD want, SERVICE_STATUS* status) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!QueryServiceStatus(service, status))
      return false;
    if (status->dwCurrentState == want)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string ReadTrace() {
  std::ifstream in(gg::service::TracePath());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Drive() {
  // Command-line quoting: a space in a path must not split the program.
  Check(gg::service::ServiceCommandLine(L"C:\\Program Files\\gg\\gg-agent.exe",
                                        L"C:\\ProgramData\\a b\\c.json") ==
            L"\"C:\\Program Files\\gg\\gg-agent.exe\" run --config "
            L"\"C:\\ProgramData\\a b\\c.json\"",
        "service command line is quoted");

  std::filesystem::remove(gg::service::TracePath());
  std::ostringstream old_out, old_err, out, err;
  (void)gg::service::UninstallCommand(old_out, old_err);  // a past run's
  int installed = gg::service::InstallCommand(out, err);
  std::cout << out.str() << err.str();
  Check(installed == 0, "install");
  Check(EventSourceRegistered(), "event log source registered");
  // The message table the source points at is in the program.
  Check(FindResourceW(nullptr, MAKEINTRESOURCEW(1), RT_MESSAGETABLE) != nullptr,
        "message table linked in");

  SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS);
  Check(scm != nullptr, "open SCM");
  SC_HANDLE service = OpenServiceW(scm, kServiceName, SERVICE_ALL_ACCESS);
  Check(service != nullptr, "service registered");
  if (!service)
    return 1;

  alignas(QUERY_SERVICE_CONFIGW) BYTE buf[8192];
  DWORD needed = 0;
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf);
  Check(QueryServiceConfigW(service, config, sizeof buf, &needed) &&
            config->dwStartType == SERVICE_AUTO_START &&
            config->dwServiceType == SERVICE_WIN32_OWN_PROCESS,
        "automatic start, own process");
  std::wstring binary = config->lpBinaryPathName;
  Check(binary.find(L" run --config \"") != std::wstring::npos,
        "binary path runs `run --config`");
  std::wstring account =
      config->lpServiceStartName ? config->lpServiceStartName : L"";
  Check(account == gg::Widen(gg::kAgentServiceAccount),
        "runs as the virtual account NT SERVICE\\gg-agent");
  Check(QueryServiceConfig2W(service, SERVICE_CONFIG_DESCRIPTION, buf,
                             sizeof buf, &needed) &&
            reinterpret_cast<SERVICE_DESCRIPTIONW*>(buf)->lpDescription,
        "description set");
  auto* failure = reinterpret_cast<SERVICE_FAILURE_ACTIONSW*>(buf);
  bool recovery = QueryServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS,
                                       buf, sizeof buf, &needed) &&
                  failure->cActions == 3 &&
                  failure->lpsaActions[0].Type == SC_ACTION_RESTART;
  if (!recovery && UnderWine()) {
    // Wine's SCM does not implement failure actions; say so, loudly.
    std::cout << "SKIP recovery actions: not implemented by wine's SCM"
              << std::endl;
  } else {
    Check(recovery, "recovery actions: restart");
  }

  // The SCM starts this program as the service.
  SERVICE_STATUS status{};
  Check(StartServiceW(service, 0, nullptr) != 0,
        "StartService (error " + std::to_string(GetLastError()) + ")");
  Check(WaitForState(service, SERVICE_RUNNING, &status), "reaches RUNNING");
  Check((status.dwControlsAccepted & SERVICE_ACCEPT_STOP) &&
            (status.dwControlsAccepted & SERVICE_ACCEPT_SHUTDOWN) &&
            (status.dwControlsAccepted & SERVICE_ACCEPT_PARAMCHANGE),
        "accepts STOP, SHUTDOWN, PARAMCHANGE");
  Check(ControlService(service, SERVICE_CONTROL_PARAMCHANGE, &status) != 0,
        "PARAMCHANGE accepted");
  Check(ControlService(service, SERVICE_CONTROL_STOP, &status) != 0,
        "STOP accepted");
  Check(WaitForState(service, SERVICE_STOPPED, &status), "reaches STOPPED");
  Check(status.dwWin32ExitCode == NO_ERROR, "clean exit code");
  std::string trace = ReadTrace();
  std::cout << "trace:\n" << trace;
  Check(trace.find("run config=") != std::string::npos &&
            trace.find("signals=0") != std::string::npos,
        "agent ran with --config and without POSIX signals");
  Check(trace.find("reload") != std::string::npos, "PARAMCHANGE -> reload");
  Check(trace.find("stopped") != std::string::npos, "STOP -> agent stopped");
  std::ifstream log_file(gg::SystemPaths().log_dir / L"gg-agent.log");
  std::stringstream log_text;
  log_text << log_file.rdbuf();
  bool logged =
      log_text.str().find("smoke: agent log line") != std::string::npos;
  Check(logged, "service log lines go to logs\\gg-agent.log");

  CloseServiceHandle(service);
  CloseServiceHandle(scm);
  std::ostringstream out2, err2;
  int uninstalled = gg::service::UninstallCommand(out2, err2);
  std::cout << out2.str() << err2.str();
  Check(uninstalled == 0, "uninstall");
  Check(!EventSourceRegistered(), "event log source removed");
  scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  SC_HANDLE gone = OpenServiceW(scm, kServiceName, SERVICE_QUERY_STATUS);
  Check(gone == nullptr, "service removed");
  if (gone)
    CloseServiceHandle(gone);
  CloseServiceHandle(scm);
  std::cout << (failures ? "FAILED" : "PASSED") << std::endl;
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Started by the SCM with the registered command line: be the service.
  if (argc >= 2 && std::string(argv[1]) == "run") {
    gg::service::RunOptions options;
    if (argc >= 4)
      options.config_path = argv[3];
    return gg::service::RunWindowsAgent(options);
  }
  return Drive();
}
