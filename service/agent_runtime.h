// AgentRuntime: one running agent — the objects RunAgent builds, in the
// order they depend on each other, and its life cycle on the Asio loop
// (ready, status, watchdog, reload, stop).
#ifndef GG_SERVICE_AGENT_RUNTIME_H_
#define GG_SERVICE_AGENT_RUNTIME_H_

#include <memory>
#include <optional>

#include "agent/config/config.h"
#include "agent/engine/engine.h"
#include "agent/store/sqlite_verdict_store.h"
#include "agent/upstream/authorize_client.h"
#include "ipc/asio.h"
#include "ipc/server.h"
#include "platform/clock.h"
#include "platform/random.h"
#include "platform/worker_thread.h"
#include "service/asio_scheduler.h"
#include "service/ipc_bridge.h"
#include "service/machine_identity.h"
#include "service/run_agent.h"
#include "service/server_event_sink.h"

namespace gg::service {

class AgentRuntime final : public AgentControl {
 public:
  AgentRuntime(RunOptions options, config::Config config, ServiceHost& host);
  ~AgentRuntime() override;

  // Builds everything and starts listening; the exit code on failure.
  std::optional<int> Start();
  // Runs the loop until stopped; returns the exit code.
  int Run();

  // AgentControl: thread-safe, post to the loop.
  void RequestStop() override;
  void RequestReload() override;

 private:
  void WatchSignals();
  void ScheduleWatchdog();
  void ScheduleStatus();
  void ScheduleMetricsFile();
  void WriteMetricsFile();
  std::string StatusLine() const;
  void Reload();
  void Stop();

  RunOptions options_;
  config::Config config_;
  ServiceHost& host_;
  SystemClock clock_;
  SecureRandomSource random_;
  asio::io_context io_;
  asio::signal_set signals_{io_};
  asio::steady_timer watchdog_timer_{io_};
  asio::steady_timer status_timer_{io_};
  asio::steady_timer metrics_timer_{io_};
  bool metrics_file_failing_ = false;  // log a failure once, not every time
  AsioScheduler scheduler_{io_};
  ThreadWorker worker_{scheduler_};
  std::unique_ptr<store::SqliteVerdictStore> store_;
  MachineIdentity identity_;
  std::unique_ptr<upstream::AuthorizeClient> upstream_;
  std::unique_ptr<ProcessProbe> probe_;
  // Before the engine, which pushes its events here: they reach the
  // server's connections once Start attaches the server.
  ServerEventSink events_;
  std::unique_ptr<agent::Engine> engine_;
  std::unique_ptr<IpcBridge> bridge_;
  std::unique_ptr<ipc::Server> server_;
  bool stopping_ = false;
};

}  // namespace gg::service

#endif  // GG_SERVICE_AGENT_RUNTIME_H_
