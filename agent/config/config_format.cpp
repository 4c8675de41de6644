// FormatEffectiveConfig: the effective configuration for check-config.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "agent/config/config.h"
#include "agent/config/url.h"
#include "platform/crypto.h"

namespace gg::config {
namespace {

using Json = nlohmann::ordered_json;

template <class T>
Json OrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json PathOrNull(const std::optional<std::filesystem::path>& p) {
  return p ? Json(p->string()) : Json(nullptr);
}

std::string LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
    case spdlog::level::critical:
      return "error";
    default:
      return "off";
  }
}

}  // namespace

std::string FormatEffectiveConfig(const Config& c) {
  Json keys = Json::array();
  for (const auto& k : c.server.response_public_keys)
    keys.push_back(crypto::Base64Encode(k));
  // A secret read from a file shows as null inline plus the file name, the
  // way it was configured; its value is masked either way.
  const bool key_inline = !c.server.api_key_file.has_value();
  const bool secret_inline = !c.server.signing_secret_file.has_value();
  Json server = {
      {"baseUrl", c.server.base_url},
      {"apiKey", key_inline ? Json(Secret::kMask) : Json(nullptr)},
      {"apiKeyFile", PathOrNull(c.server.api_key_file)},
      {"signingSecret", secret_inline ? Json(Secret::kMask) : Json(nullptr)},
      {"signingSecretFile", PathOrNull(c.server.signing_secret_file)},
      {"responsePublicKeys", keys},
      {"caFile", PathOrNull(c.server.ca_file)},
      {"pinnedPublicKeys", OrNull(c.server.pinned_public_keys)},
      {"proxy", c.server.proxy
                    ? Json(internal::MaskUrlUserinfo(*c.server.proxy))
                    : Json(nullptr)},
      {"connectTimeoutMs", c.server.connect_timeout_ms},
      {"requestTimeoutMs", c.server.request_timeout_ms},
      {"maxRetryAfterSeconds", c.server.max_retry_after_seconds},
  };
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", c.ipc.mode);
  Json ipc = {
      {"path", c.ipc.path.string()},
      {"mode", mode},
      {"group", OrNull(c.ipc.group)},
      {"allowedUids", OrNull(c.ipc.allowed_uids)},
      {"allowedGroups", OrNull(c.ipc.allowed_groups)},
      {"maxConnections", c.ipc.max_connections},
      {"maxConnectionsPerUid", c.ipc.max_connections_per_uid},
      {"maxInFlightPerConnection", c.ipc.max_in_flight_per_connection},
      {"idleTimeoutSeconds", c.ipc.idle_timeout_seconds},
  };
  Json policy = {
      {"cacheTtlSeconds", c.policy.cache_ttl_seconds},
      {"denyCacheSeconds", c.policy.deny_cache_seconds},
      {"offlineGraceSeconds", c.policy.offline_grace_seconds},
      {"maxConcurrentSessions", OrNull(c.policy.max_concurrent_sessions)},
      {"sessionHeartbeatTimeoutSeconds",
       c.policy.session_heartbeat_timeout_seconds},
      {"clockRollbackToleranceSeconds",
       c.policy.clock_rollback_tolerance_seconds},
      {"requestDeadlineMs", c.policy.request_deadline_ms},
      {"upstreamPerUidPerMinute", c.policy.upstream_per_uid_per_minute},
  };
  Json doc = {
      {"server", server},
      {"ipc", ipc},
      {"state",
       {{"dir", c.state.dir.string()},
        {"maxVerdictsInMemory", c.state.max_verdicts_in_memory}}},
      {"policy", policy},
      {"hwid",
       {{"root", c.hwid.root.string()},
        {"matchThreshold", c.hwid.match_threshold}}},
      {"metrics",
       {{"textfile", PathOrNull(c.metrics.textfile)},
        {"intervalSeconds", c.metrics.interval_seconds}}},
      {"log",
       {{"level", LevelName(c.log.level)},
        {"format", c.log.format == log::Format::kJson ? "json" : "text"}}},
  };
  return doc.dump(2);
}

}  // namespace gg::config
