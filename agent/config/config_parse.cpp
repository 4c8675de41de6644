// Parsing and validation of every field of spec/agent.md §2.
#include <cmath>
#include <string>
#include <utility>

#include "agent/config/config.h"
#include "agent/config/json_reader.h"
#include "agent/config/url.h"
#include "platform/crypto.h"
#include "platform/paths.h"
#include "platform/private_file.h"

namespace gg::config {
namespace {

using internal::IsUrlWithScheme;
using internal::ObjectReader;

// Upper bounds that catch unit mistakes (milliseconds typed as seconds)
// without getting in the way of any real deployment.
constexpr long long kMaxTimeoutMs = 10 * 60 * 1000;
constexpr long long kDay = 24 * 3600;
constexpr long long kYear = 365 * kDay;
constexpr long long kMaxCount = 1'000'000;
constexpr std::size_t kMaxSocketPath = 107;  // sun_path minus the NUL

bool IsBase64Of32Bytes(std::string_view b64, std::string* raw) {
  auto decoded = crypto::Base64Decode(b64);
  if (!decoded || decoded->size() != 32)
    return false;
  if (raw != nullptr)
    *raw = std::move(*decoded);
  return true;
}

std::filesystem::path Resolve(const ConfigEnv& env,
                              const std::filesystem::path& p) {
  // Relative to the config's folder only when it has no root at all: on
  // Windows \\.\pipe\gg-agent (a pipe name) and \dir have a root
  // directory without a root name, which std::filesystem calls relative.
  if (p.is_relative() && !p.has_root_directory() && !env.base_dir.empty())
    return env.base_dir / p;
  return p;
}

// A non-empty path field; returns false (after reporting) when invalid.
bool PathField(ObjectReader& r,
               std::string_view key,
               const ConfigEnv& env,
               std::filesystem::path* out) {
  std::string s;
  if (!r.String(key, &s))
    return false;
  if (s.empty()) {
    r.Fail(key, "must not be empty");
    return false;
  }
  *out = Resolve(env, s);
  return true;
}

// One secret given either inline or as a file: exactly one must be set.
void ReadSecretPair(ObjectReader& r,
                    std::string_view inline_key,
                    std::string_view file_key,
                    const ConfigEnv& env,
                    Secret* secret,
                    std::optional<std::filesystem::path>* file) {
  bool has_inline = r.Has(inline_key);
  bool has_file = r.Has(file_key);
  if (has_inline == has_file) {
    r.Fail(inline_key, "exactly one of " + std::string(inline_key) + " and " +
                           std::string(file_key) + " must be set");
    return;
  }
  if (has_inline) {
    std::string value;
    if (!r.String(inline_key, &value))
      return;
    if (value.empty())
      r.Fail(inline_key, "must not be empty");
    else
      *secret = Secret(std::move(value));
    return;
  }
  std::filesystem::path path;
  if (!PathField(r, file_key, env, &path))
    return;
  auto content = env.read_secret_file(path);
  if (!content) {
    r.Fail(file_key, content.error().message);
    return;
  }
  *file = path;
  *secret = Secret(std::move(*content));
}

void ParseServer(ObjectReader r, const ConfigEnv& env, ServerConfig* s) {
  if (r.String("baseUrl", &s->base_url)) {
    if (!IsUrlWithScheme(s->base_url, {"http", "https"}) ||
        s->base_url.find_first_of("?#") != std::string::npos)
      r.Fail("baseUrl", "not an http(s) URL");
    else if (!internal::UrlUserinfo(s->base_url).empty())
      r.Fail("baseUrl", "must not contain credentials (use apiKey)");
    else if (s->base_url.rfind("http://", 0) == 0 &&
             !internal::IsLoopbackUrl(s->base_url))
      // The API key and request HMACs would travel in clear, and unsigned
      // 404/429 answers could be forged by anyone on the path.
      r.Fail("baseUrl",
             "plain http:// is allowed only for a loopback host "
             "(127.0.0.0/8, [::1], localhost); use https://");
    while (!s->base_url.empty() && s->base_url.back() == '/')
      s->base_url.pop_back();
  }
  ReadSecretPair(r, "apiKey", "apiKeyFile", env, &s->api_key, &s->api_key_file);
  ReadSecretPair(r, "signingSecret", "signingSecretFile", env,
                 &s->signing_secret, &s->signing_secret_file);

  std::optional<std::vector<std::string>> keys;
  bool keys_present = r.Has("responsePublicKeys");
  if (!keys_present) {
    r.Fail("responsePublicKeys",
           "required: at least one base64 Ed25519 public key");
  } else if (r.OptionalStringArray("responsePublicKeys", &keys)) {
    if (keys->empty())
      r.Fail("responsePublicKeys", "must not be empty");
    for (std::size_t i = 0; i < keys->size(); ++i) {
      std::string raw;
      if (!IsBase64Of32Bytes((*keys)[i], &raw))
        r.Fail("responsePublicKeys[" + std::to_string(i) + "]",
               "not base64 of a 32-byte Ed25519 key");
      else
        s->response_public_keys.push_back(std::move(raw));
    }
  }

  std::filesystem::path ca;
  if (PathField(r, "caFile", env, &ca))
    s->ca_file = ca;
  if (r.OptionalStringArray("pinnedPublicKeys", &s->pinned_public_keys)) {
    constexpr std::string_view kPrefix = "sha256//";
    if (s->pinned_public_keys->empty())
      r.Fail("pinnedPublicKeys", "must not be empty (use null for no pins)");
    for (std::size_t i = 0; i < s->pinned_public_keys->size(); ++i) {
      std::string_view pin = (*s->pinned_public_keys)[i];
      if (pin.substr(0, kPrefix.size()) != kPrefix ||
          !IsBase64Of32Bytes(pin.substr(kPrefix.size()), nullptr))
        r.Fail("pinnedPublicKeys[" + std::to_string(i) + "]",
               "not sha256//<base64 of 32 bytes>");
    }
  }
  if (r.OptionalString("proxy", &s->proxy) &&
      !IsUrlWithScheme(*s->proxy, {"http", "https", "socks4", "socks4a",
                                   "socks5", "socks5h"}))
    r.Fail("proxy", "not a proxy URL (http, https, socks4, socks5)");
  r.Integer("connectTimeoutMs", 1, kMaxTimeoutMs, &s->connect_timeout_ms);
  r.Integer("requestTimeoutMs", 1, kMaxTimeoutMs, &s->request_timeout_ms);
  r.Integer("maxRetryAfterSeconds", 1, 86400, &s->max_retry_after_seconds);
  r.Finish();
}

bool ParseOctalMode(std::string_view text, unsigned* mode) {
  if (text.size() < 3 || text.size() > 4)
    return false;
  unsigned m = 0;
  for (char c : text) {
    if (c < '0' || c > '7')
      return false;
    m = m * 8 + static_cast<unsigned>(c - '0');
  }
  if (m > 0777)  // no setuid/setgid/sticky bits on a socket
    return false;
  *mode = m;
  return true;
}

void ParseIpc(ObjectReader r, const ConfigEnv& env, IpcConfig* ipc) {
  if (PathField(r, "path", env, &ipc->path) &&
      ipc->path.string().size() > kMaxSocketPath)
    r.Fail("path", "longer than " + std::to_string(kMaxSocketPath) + " bytes");
  std::string mode;
  if (r.String("mode", &mode) && !ParseOctalMode(mode, &ipc->mode))
    r.Fail("mode", "not an octal mode");
  if (r.OptionalString("group", &ipc->group) && ipc->group->empty())
    r.Fail("group", "must not be empty");
  std::optional<std::vector<long long>> uids;
  if (r.OptionalIntegerArray("allowedUids", 0, 4294967294LL, &uids)) {
    ipc->allowed_uids.emplace();
    for (long long u : *uids)
      ipc->allowed_uids->push_back(static_cast<std::uint32_t>(u));
  }
  if (r.OptionalStringArray("allowedGroups", &ipc->allowed_groups))
    for (std::size_t i = 0; i < ipc->allowed_groups->size(); ++i)
      if ((*ipc->allowed_groups)[i].empty())
        r.Fail("allowedGroups[" + std::to_string(i) + "]", "must not be empty");
  r.Integer("maxConnections", 1, 65536, &ipc->max_connections);
  r.Integer("maxConnectionsPerUid", 1, 65536, &ipc->max_connections_per_uid);
  r.Integer("maxInFlightPerConnection", 1, 4096,
            &ipc->max_in_flight_per_connection);
  r.Integer("idleTimeoutSeconds", 1, kDay, &ipc->idle_timeout_seconds);
  r.Finish();
}

void ParsePolicy(ObjectReader r, PolicyConfig* p) {
  r.Integer("cacheTtlSeconds", 1, 30 * kDay, &p->cache_ttl_seconds);
  r.Integer("denyCacheSeconds", 1, 30 * kDay, &p->deny_cache_seconds);
  r.Integer("offlineGraceSeconds", 1, 10 * kYear, &p->offline_grace_seconds);
  r.OptionalInteger("maxConcurrentSessions", 1, kMaxCount,
                    &p->max_concurrent_sessions);
  r.Integer("sessionHeartbeatTimeoutSeconds", 1, kDay,
            &p->session_heartbeat_timeout_seconds);
  // 0 is meaningful: any step back of the wall clock counts as rollback.
  r.Integer("clockRollbackToleranceSeconds", 0, 30 * kDay,
            &p->clock_rollback_tolerance_seconds);
  r.Integer("requestDeadlineMs", 1, kMaxTimeoutMs, &p->request_deadline_ms);
  r.Integer("upstreamPerUidPerMinute", 1, 1000000,
            &p->upstream_per_uid_per_minute);
  r.Finish();
}

void ParseHwid(ObjectReader r, const ConfigEnv& env, HwidConfig* h) {
  PathField(r, "root", env, &h->root);
  if (r.Number("matchThreshold", &h->match_threshold) &&
      !(std::isfinite(h->match_threshold) && h->match_threshold > 0 &&
        h->match_threshold <= 1))
    r.Fail("matchThreshold", "must be greater than 0 and at most 1");
  r.Finish();
}

void ParseMetrics(ObjectReader r, const ConfigEnv& env, MetricsConfig* m) {
  std::optional<std::string> file;
  if (r.OptionalString("textfile", &file)) {
    if (!file->ends_with(".prom"))
      r.Fail("textfile",
             "must end in .prom (node_exporter's textfile collector reads "
             "only those)");
    else
      m->textfile = Resolve(env, *file);
  }
  r.Integer("intervalSeconds", 1, kDay, &m->interval_seconds);
  r.Finish();
}

void ParseLog(ObjectReader r, LogConfig* l) {
  std::string s;
  if (r.String("level", &s)) {
    auto level = log::ParseLevel(s);
    if (level)
      l->level = *level;
    else
      r.Fail("level", level.error().message);
  }
  if (r.String("format", &s)) {
    auto format = log::ParseFormat(s);
    if (format)
      l->format = *format;
    else
      r.Fail("format", format.error().message);
  }
  r.Finish();
}

}  // namespace

ConfigEnv DefaultConfigEnv() {
  ConfigEnv env;
  env.read_secret_file = [](const std::filesystem::path& p) {
    return ReadSecretFile(p);
  };
  return env;
}

Result<Config> ParseConfig(std::string_view json, const ConfigEnv& env_in) {
  ConfigEnv env = env_in;
  if (!env.read_secret_file)
    env.read_secret_file = DefaultConfigEnv().read_secret_file;
  DefaultPaths system = SystemPaths();

  std::vector<std::string> errors;
  auto doc = internal::ParseStrictJson(json, &errors);
  Config c;
  c.ipc.path = env.default_socket_path.empty() ? system.socket_path
                                               : env.default_socket_path;
  c.state.dir =
      env.default_state_dir.empty() ? system.state_dir : env.default_state_dir;
  if (doc) {
    ObjectReader top(&*doc, "", &errors);
    if (!top.Has("server"))
      errors.push_back("server: required (responsePublicKeys and credentials)");
    else
      ParseServer(top.Section("server"), env, &c.server);
    ParseIpc(top.Section("ipc"), env, &c.ipc);
    ObjectReader state = top.Section("state");
    PathField(state, "dir", env, &c.state.dir);
    state.Integer("maxVerdictsInMemory", 1, 1000000,
                  &c.state.max_verdicts_in_memory);
    state.Finish();
    ParsePolicy(top.Section("policy"), &c.policy);
    ParseHwid(top.Section("hwid"), env, &c.hwid);
    ParseMetrics(top.Section("metrics"), env, &c.metrics);
    ParseLog(top.Section("log"), &c.log);
    top.Finish();
  }
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors)
      message += (message.empty() ? "" : "\n") + e;
    return MakeError(ErrorCode::kConfig, message);
  }
  return c;
}

}  // namespace gg::config
