// The agent's configuration file (spec/agent.md §2).
//
// ParseConfig turns the JSON text into a validated Config; it is pure apart
// from reading the secret files named by apiKeyFile/signingSecretFile, which
// goes through ConfigEnv so tests can substitute it. LoadConfigFile reads the
// file, parses it and registers every secret with gg::log::RegisterSecret.
//
// Errors: every problem found is reported, one per line, each naming the
// field path and what is wrong ("server.baseUrl: not an http(s) URL"); the
// Error code is always ErrorCode::kConfig, which the command line turns into
// exit status 2. Unknown keys are errors at every level, so a typo never
// silently disables a setting.
//
// Relative paths (apiKeyFile, signingSecretFile, caFile, ipc.path, state.dir,
// hwid.root, metrics.textfile) are resolved against ConfigEnv::base_dir, which
// LoadConfigFile sets to the directory of the config file.
//
// Thread safety: all functions are reentrant; a Config is a plain value.
#ifndef GG_AGENT_CONFIG_CONFIG_H_
#define GG_AGENT_CONFIG_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/common.h>

#include "platform/log.h"
#include "platform/result.h"
#include "platform/secret.h"

namespace gg::config {

struct ServerConfig {
  std::string base_url = "https://api.geckoguard.com";  // no trailing '/'
  Secret api_key;  // from apiKey, or read from api_key_file
  std::optional<std::filesystem::path> api_key_file;
  Secret signing_secret;
  std::optional<std::filesystem::path> signing_secret_file;
  // Raw 32-byte Ed25519 keys, decoded from base64; never empty.
  std::vector<std::string> response_public_keys;
  std::optional<std::filesystem::path> ca_file;
  // Each "sha256//<base64 of 32 bytes>" (libcurl's pinned public key form).
  std::optional<std::vector<std::string>> pinned_public_keys;
  // May carry "user:password@"; masked when printed, registered as a
  // secret by RegisterConfigSecrets.
  std::optional<std::string> proxy;
  int connect_timeout_ms = 3000;
  int request_timeout_ms = 10000;
  // The longest an unsigned Retry-After (429, 503) may hold the agent back
  // before it probes again with backoff.
  int max_retry_after_seconds = 300;
};

struct IpcConfig {
  std::filesystem::path path;  // default: SystemPaths().socket_path
  unsigned mode = 0660;        // permission bits of the socket file
  std::optional<std::string> group;
  std::optional<std::vector<std::uint32_t>> allowed_uids;
  std::optional<std::vector<std::string>> allowed_groups;
  int max_connections = 1024;
  // Well below max_connections, so one user cannot hold every slot.
  int max_connections_per_uid = 64;
  int max_in_flight_per_connection = 32;
  int idle_timeout_seconds = 30;
};

struct StateConfig {
  std::filesystem::path dir;  // default: SystemPaths().state_dir
  // Verified verdicts held in memory; the rest are on disk only and read
  // back when asked for (agent::EngineOptions::max_cached_verdicts).
  int max_verdicts_in_memory = 1024;
};

struct PolicyConfig {
  long long cache_ttl_seconds = 300;
  long long deny_cache_seconds = 60;
  long long offline_grace_seconds = 259200;
  std::optional<int> max_concurrent_sessions;  // null: no local limit
  long long session_heartbeat_timeout_seconds = 90;
  long long clock_rollback_tolerance_seconds = 300;
  int request_deadline_ms = 5000;
  // Upstream requests for keys the agent holds no verdict for, per local
  // uid and minute (a token bucket); past it RATE_LIMITED.
  int upstream_per_uid_per_minute = 60;
};

struct HwidConfig {
  std::filesystem::path root = "/";
  double match_threshold = 0.6;  // in (0, 1]
};

struct MetricsConfig {
  // A node_exporter textfile-collector file ("*.prom") the agent rewrites
  // atomically every interval_seconds with the `metrics` text; null: none.
  std::optional<std::filesystem::path> textfile;
  long long interval_seconds = 15;
};

struct LogConfig {
  spdlog::level::level_enum level = spdlog::level::info;
  log::Format format = log::Format::kText;
};

struct Config {
  ServerConfig server;
  IpcConfig ipc;
  StateConfig state;
  PolicyConfig policy;
  HwidConfig hwid;
  MetricsConfig metrics;
  LogConfig log;
};

// What ParseConfig needs from outside the JSON text.
struct ConfigEnv {
  // Reads a secret file; must refuse files readable by group or others.
  // Defaults to gg::ReadSecretFile.
  std::function<Result<std::string>(const std::filesystem::path&)>
      read_secret_file;
  // Directory that relative paths are resolved against; empty: leave them.
  std::filesystem::path base_dir;
  // Defaults for ipc.path and state.dir; empty: gg::SystemPaths().
  std::filesystem::path default_socket_path;
  std::filesystem::path default_state_dir;
};

// The environment of the real agent: real secret files, system paths.
ConfigEnv DefaultConfigEnv();

// Parses and validates `json`. On failure the Error has code
// ErrorCode::kConfig and one line per problem.
[[nodiscard]] Result<Config> ParseConfig(std::string_view json,
                                         const ConfigEnv& env);

// Reads `path`, parses it with `env` (base_dir set to the file's directory)
// and registers the secrets for log redaction. Errors have code
// ErrorCode::kConfig and start with the file name when it cannot be read.
[[nodiscard]] Result<Config> LoadConfigFile(const std::filesystem::path& path,
                                            ConfigEnv env = DefaultConfigEnv());

// Registers api_key, signing_secret and any proxy credentials with
// gg::log::RegisterSecret.
void RegisterConfigSecrets(const Config& config);

// The effective configuration as indented JSON, every default filled in and
// every secret replaced by gg::Secret::kMask (for `gg-agent check-config`).
std::string FormatEffectiveConfig(const Config& config);

}  // namespace gg::config

#endif  // GG_AGENT_CONFIG_CONFIG_H_
