// gg-agent as a Windows service (spec/agent.md §6): the service control
// manager (SCM) side of RunAgent.
//
// `gg-agent run` calls RunWindowsAgent(). Started by the SCM, it connects
// with StartServiceCtrlDispatcher and runs the agent in ServiceMain, telling
// the SCM START_PENDING (with a wait hint), RUNNING once the agent is ready,
// STOP_PENDING and STOPPED; the control handler turns STOP and SHUTDOWN into
// AgentControl::RequestStop() and PARAMCHANGE into RequestReload(). Log lines
// (stderr) go to %ProgramData%\GeckoGuard\Agent\logs\gg-agent.log, and the
// life cycle (started, stopped, failed with its exit code) to the Windows
// event log under the source kEventSource. Started from a console instead,
// it runs in the foreground with Ctrl-C / Ctrl-Break / closing the window as
// stop.
//
// Only the Windows build has these symbols (windows_service_*_windows.cpp);
// no Windows type appears here.
#ifndef GG_SERVICE_WINDOWS_SERVICE_H_
#define GG_SERVICE_WINDOWS_SERVICE_H_

#include <filesystem>
#include <ostream>
#include <string>

#include "service/run_agent.h"

namespace gg::service {

inline constexpr wchar_t kServiceName[] = L"gg-agent";
inline constexpr wchar_t kServiceDisplayName[] = L"GeckoGuard Agent";
inline constexpr wchar_t kServiceDescription[] =
    L"GeckoGuard license agent: checks licenses of protected applications "
    L"against the GeckoGuard licensing service and caches signed verdicts.";
inline constexpr wchar_t kEventSource[] = L"GeckoGuard Agent";

// Returns the exit code of the agent (0, 1 or 2 as RunAgent). In service
// mode the process exits after the SCM has been told STOPPED.
int RunWindowsAgent(const RunOptions& options);

// The command line the SCM starts: "<exe>" run --config "<config>", each
// path quoted so a space in "Program Files" cannot pick another program.
std::wstring ServiceCommandLine(const std::filesystem::path& exe,
                                const std::filesystem::path& config);

// Writes one event to the Windows event log under kEventSource. `error`
// selects EVENTLOG_ERROR_TYPE, else EVENTLOG_INFORMATION_TYPE. Failures are
// ignored: the event log is a courtesy, the log file is the record.
void ReportServiceEvent(const std::wstring& message, bool error);

}  // namespace gg::service

#endif  // GG_SERVICE_WINDOWS_SERVICE_H_
