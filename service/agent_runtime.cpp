#include "service/agent_runtime.h"

#include <spdlog/spdlog.h>

#include "hwid/collector.h"
#include "hwid/machine_key.h"
#include "platform/capabilities.h"
#include "platform/private_file.h"
#include "platform/time_format.h"
#include "service/agent_options.h"
#include "service/commands.h"
#include "service/fd_limit.h"
#include "service/metrics_textfile.h"
#include "service/os_users.h"
#include "service/reload_signal.h"

namespace gg::service {

AgentRuntime::AgentRuntime(RunOptions options,
                           config::Config config,
                           ServiceHost& host)
    : options_(std::move(options)), config_(std::move(config)), host_(host) {}

AgentRuntime::~AgentRuntime() {
  // The engine and server hold tasks on the loop and the worker: they go
  // first, then the worker is joined before the store it writes to closes.
  events_.Attach(nullptr);
  server_.reset();
  engine_.reset();
  worker_.Join();
}

std::optional<int> AgentRuntime::Start() {
  if (auto dir = EnsurePrivateDirectory(config_.state.dir); !dir) {
    spdlog::error("state.dir: {}", dir.error().message);
    // A directory someone else controls is a setup the admin must fix:
    // restarting cannot help (exit 2, like a bad config).
    return dir.error().code == ErrorCode::kInsecureFile ? kExitUsage
                                                        : kExitFailure;
  }
  auto store = store::SqliteVerdictStore::Open(
      {config_.state.dir, config_.server.response_public_keys, &clock_});
  if (!store) {
    spdlog::error("verdict store: {}", store.error().message);
    return kExitFailure;
  }
  store_ = std::move(*store);

  hwid::Collection parts;
  auto raised =
      WithReadAnyFile([&] { parts = hwid::CollectParts({config_.hwid.root}); });
  // Nothing after this point needs a capability: drop them for good before
  // the agent opens a connection to anyone.
  auto dropped =
      raised ? DropAllCapabilities() : Status(tl::unexpected(raised.error()));
  if (!dropped) {
    spdlog::error("capabilities: {}", dropped.error().message);
    return kExitFailure;
  }
  if (*raised)
    spdlog::info(
        "hardware parts read with CAP_DAC_READ_SEARCH; all "
        "capabilities dropped");
  auto identity =
      EstablishIdentity(*store_, parts, config_.hwid.match_threshold);
  if (!identity) {
    spdlog::error("hardware ID: {}", identity.error().message);
    return kExitFailure;
  }
  identity_ = std::move(*identity);

  // The client keeps its calls and backoff timers on the engine's loop.
  auto upstream = upstream::AuthorizeClient::CreateWithCurl(
      UpstreamOptionsFrom(config_), clock_, random_, scheduler_);
  if (!upstream) {
    spdlog::error("upstream client: {}", upstream.error().message);
    return kExitFailure;
  }
  upstream_ = std::move(*upstream);

  probe_ = MakeSystemProcessProbe();
  agent::EngineIdentity engine_identity;
  engine_identity.hwid_for_product =
      [key = identity_.machine_key](std::string_view product_id) {
        auto hwid = hwid::ProductHwid(key, product_id);
        // HMAC over a fixed-size key only fails if OpenSSL itself does; an
        // empty hwid is then refused upstream rather than guessed.
        return hwid ? *hwid : std::string();
      };
  engine_identity.instance_id = identity_.instance_id;

  // The engine pushes events into events_, which writes them to the
  // server's connections; the bridge answers requests with the engine.
  engine_ = std::make_unique<agent::Engine>(
      EngineOptionsFrom(config_), std::move(engine_identity),
      agent::EngineDeps{clock_, random_, *upstream_, *store_, scheduler_,
                        worker_, *probe_, events_});
  bridge_ = std::make_unique<IpcBridge>(
      *engine_, AgentIdentityInfo{kAgentVersion, identity_.fingerprint});
  if (auto started = engine_->Start(); !started) {
    spdlog::error("cache: {}", started.error().message);
    return kExitFailure;
  }

  std::vector<long long> gids;
  if (config_.ipc.allowed_groups) {
    auto ids = GroupIds(*config_.ipc.allowed_groups);
    if (!ids) {
      spdlog::error("{}", ids.error().message);
      return kExitUsage;
    }
    gids = *ids;
  }
  auto server_options =
      ServerOptionsFrom(config_, options_.inherited_fds, std::move(gids));
  const auto fd_limit = RaiseFdLimit();
  if (FitConnectionsToFdLimit(server_options.limits, fd_limit)) {
    spdlog::warn(
        "ipc.maxConnections {} lowered to {}: the process may open only {} "
        "files (raise LimitNOFILE)",
        config_.ipc.max_connections, server_options.limits.max_connections,
        *fd_limit);
  }
  server_ =
      std::make_unique<ipc::Server>(io_, *bridge_, std::move(server_options));
  if (auto listening = server_->Start(); !listening) {
    spdlog::error("socket {}: {}", config_.ipc.path.string(),
                  listening.error().message);
    // An endpoint unusable as configured is a configuration error.
    return listening.error().code == ErrorCode::kConfig ? kExitUsage
                                                        : kExitFailure;
  }
  events_.Attach(server_.get());
  return std::nullopt;
}

int AgentRuntime::Run() {
  if (options_.handle_signals)
    WatchSignals();
  host_.Started(*this);
  spdlog::info("gg-agent {} ready on {}", kAgentVersion,
               config_.ipc.path.string());
  host_.Ready();
  ScheduleStatus();
  ScheduleWatchdog();
  ScheduleMetricsFile();
  io_.run();
  return kExitOk;
}

void AgentRuntime::RequestStop() {
  asio::post(io_, [this] { Stop(); });
}

void AgentRuntime::RequestReload() {
  asio::post(io_, [this] { Reload(); });
}

void AgentRuntime::WatchSignals() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  AddReloadSignal(signals_);
  signals_.async_wait([this](const std::error_code& ec, int signal_number) {
    if (ec)
      return;
    if (IsReloadSignal(signal_number)) {
      Reload();
      WatchSignals();
    } else {
      spdlog::info("signal {}: stopping", signal_number);
      Stop();
    }
  });
}

void AgentRuntime::ScheduleWatchdog() {
  auto interval = host_.WatchdogInterval();
  if (!interval || stopping_)
    return;
  host_.Watchdog();
  watchdog_timer_.expires_after(*interval);
  watchdog_timer_.async_wait([this](const std::error_code& ec) {
    if (!ec)
      ScheduleWatchdog();
  });
}

std::string AgentRuntime::StatusLine() const {
  auto s = engine_->StatusSnapshot();
  std::string line = s.online ? "online" : "offline";
  if (s.last_error)
    line += " (" + s.last_error->code + " since " +
            FormatRfc3339(s.last_error->since) + ")";
  line += ", " + std::to_string(s.sessions) + " sessions, " +
          std::to_string(s.cached_verdicts) + " cached verdicts";
  if (s.clock_rollback)
    line += ", clock rollback detected";
  return line;
}

void AgentRuntime::ScheduleStatus() {
  if (stopping_)
    return;
  host_.Status(StatusLine());
  status_timer_.expires_after(std::chrono::seconds(5));
  status_timer_.async_wait([this](const std::error_code& ec) {
    if (!ec)
      ScheduleStatus();
  });
}

void AgentRuntime::ScheduleMetricsFile() {
  if (stopping_ || !config_.metrics.textfile)
    return;
  WriteMetricsFile();
  metrics_timer_.expires_after(
      std::chrono::seconds(config_.metrics.interval_seconds));
  metrics_timer_.async_wait([this](const std::error_code& ec) {
    if (!ec)
      ScheduleMetricsFile();
  });
}

void AgentRuntime::WriteMetricsFile() {
  // Rendered on the loop (the counters live there), written on the
  // worker: the loop never waits for a disk.
  std::string text = bridge_->Metrics();
  worker_.Submit(
      [path = *config_.metrics.textfile, text = std::move(text)] {
        return WriteTextfileAtomic(path, text);
      },
      [this](Status s) {
        if (!s && !metrics_file_failing_)
          spdlog::error("metrics.textfile: {}", s.error().message);
        else if (s && metrics_file_failing_)
          spdlog::info("metrics.textfile: written again");
        metrics_file_failing_ = !s;
      });
}

void AgentRuntime::Reload() {
  if (stopping_)
    return;
  host_.Reloading();
  auto fresh = config::LoadConfigFile(options_.config_path);
  if (!fresh) {
    spdlog::error("reload refused, the running configuration stays: {}",
                  fresh.error().message);
  } else {
    for (const auto& section : SettingsNeedingRestart(config_, *fresh))
      spdlog::warn("reload: changes to \"{}\" take effect at the next start",
                   section);
    log::Init(fresh->log.level, fresh->log.format, options_.log_out);
    engine_->UpdateOptions(EngineOptionsFrom(*fresh));
    config_.policy = fresh->policy;
    config_.log = fresh->log;
    const bool had_file = config_.metrics.textfile.has_value();
    config_.metrics = fresh->metrics;
    if (!had_file)
      ScheduleMetricsFile();  // else the running timer picks it up
    spdlog::info("configuration reloaded from {}",
                 options_.config_path.string());
  }
  host_.Ready();
}

void AgentRuntime::Stop() {
  if (stopping_)
    return;
  stopping_ = true;
  host_.Stopping();
  std::error_code ignored;
  signals_.cancel(ignored);
  watchdog_timer_.cancel();
  status_timer_.cancel();
  metrics_timer_.cancel();
  // No new connections; every client hears {"event":"shutdown"} and is
  // closed once its queued answers are written.
  server_->Drain();
  engine_->Stop([this] {
    upstream_->Shutdown(std::chrono::seconds(2));
    // A client that never reads is cut off here, after the engine's own
    // bounded wait: a stop never hangs on a peer.
    server_->Stop();
    scheduler_.CancelAll();
    io_.stop();
  });
}

}  // namespace gg::service
