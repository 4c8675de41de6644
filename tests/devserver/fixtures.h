// gg-devserver fixtures: the JSON file of spec/devserver.md, parsed into
// plain structs. Parsing is pure (no I/O but LoadFixtures) so every rule is
// testable with strings; a bad fixture is an Error whose message starts with
// the JSON path of the offending field (e.g. "licenses[2].hwidMode: ...").
#ifndef GG_TESTS_DEVSERVER_FIXTURES_H_
#define GG_TESTS_DEVSERVER_FIXTURES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/result.h"

namespace gg::devserver {

inline constexpr int kDefaultRateLimitPerMinute = 600;

struct ApiKey {
  std::string key;
  std::string id;  // "id" in the fixture, or derived from the key
  std::vector<std::string> permissions;
  int rate_limit_per_minute = kDefaultRateLimitPerMinute;
};

struct Product {
  std::string id;
  int rate_limit_per_minute = kDefaultRateLimitPerMinute;
  std::vector<std::string> blacklisted_hwids;
  std::vector<std::string> blacklisted_ips;
};

enum class BindMode { kNone, kSticky, kLimit };

struct License {
  std::string key;
  std::string id;
  std::string product_id;
  std::string status;                   // ACTIVE, REVOKED, FROZEN
  std::optional<long long> expires_at;  // unix seconds
  std::optional<int> days_after_activation;
  std::optional<long long> activated_at;  // unix seconds
  BindMode hwid_mode = BindMode::kNone;
  int hwid_limit = 0;
  BindMode ip_mode = BindMode::kNone;
  int ip_limit = 0;
  int ip_window_seconds = 3600;
  std::optional<std::vector<std::string>> allowed_regions;
  int max_concurrent_sessions = 1;
  // 64-bit: tests send extremes such as 2^53 (issue 10 point 5).
  long long offline_grace_seconds = 259200;
  int heartbeat_seconds = 300;
  // Devserver extensions: machines and addresses already bound at start, so
  // a fixture can be "bound to another hwid" without a first request.
  std::vector<std::string> hwids;
  std::vector<std::string> ips;
  nlohmann::json source;  // the object as given, for merging PUTs
};

struct Fixtures {
  std::string signing_secret;
  std::string response_seed;  // raw 32 bytes
  std::vector<ApiKey> api_keys;
  std::vector<Product> products;
  std::map<std::string, std::string> ip_regions;
  std::vector<License> licenses;
};

[[nodiscard]] Result<Fixtures> ParseFixtures(std::string_view text);
[[nodiscard]] Result<Fixtures> LoadFixtures(const std::string& path);

// One license object; `where` prefixes error messages ("licenses[3]").
// Does not check that the product exists (the caller does).
[[nodiscard]] Result<License> ParseLicense(const nlohmann::json& object,
                                           const std::string& where);

// RFC 3339 UTC ("2027-01-01T00:00:00Z") to and from Unix seconds.
[[nodiscard]] std::optional<long long> ParseIsoTime(std::string_view text);
std::string FormatIsoTime(long long unix_seconds);

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_FIXTURES_H_
