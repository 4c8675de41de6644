#include "tests/devserver/fixtures.h"

#include <cstdio>
#include <ctime>
#include <set>

#include "platform/crypto.h"
#include "platform/private_file.h"

namespace gg::devserver {
namespace {

using nlohmann::json;

tl::unexpected<Error> FieldError(const std::string& field,
                                 const std::string& message) {
  return MakeError(ErrorCode::kHarness, field + ": " + message);
}

// Reads an optional field of the given kind; absent or null keeps `out`.
Status ReadString(const json& o,
                  const std::string& where,
                  const char* name,
                  std::string& out,
                  bool required) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) {
    if (required) {
      return FieldError(where + "." + name, "is required");
    }
    return Ok();
  }
  if (!it->is_string()) {
    return FieldError(where + "." + name, "must be a string");
  }
  out = it->get<std::string>();
  if (required && out.empty()) {
    return FieldError(where + "." + name, "must not be empty");
  }
  return Ok();
}

Status ReadInt(const json& o,
               const std::string& where,
               const char* name,
               int& out,
               int min_value) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) {
    return Ok();
  }
  if (!it->is_number_integer()) {
    return FieldError(where + "." + name, "must be an integer");
  }
  long long v = it->get<long long>();
  if (v < min_value || v > 1'000'000'000) {
    return FieldError(where + "." + name,
                      "must be at least " + std::to_string(min_value));
  }
  out = static_cast<int>(v);
  return Ok();
}

// A non-negative integer of any 64-bit size.
Status ReadLong(const json& o,
                const std::string& where,
                const char* name,
                long long& out) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) {
    return Ok();
  }
  if (!it->is_number_integer() || it->get<long long>() < 0) {
    return FieldError(where + "." + name, "must be a non-negative integer");
  }
  out = it->get<long long>();
  return Ok();
}

Status ReadStrings(const json& o,
                   const std::string& where,
                   const char* name,
                   std::vector<std::string>& out) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) {
    return Ok();
  }
  if (!it->is_array()) {
    return FieldError(where + "." + name, "must be an array of strings");
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return FieldError(where + "." + name, "must be an array of strings");
    }
    out.push_back(v.get<std::string>());
  }
  return Ok();
}

Status ReadTime(const json& o,
                const std::string& where,
                const char* name,
                std::optional<long long>& out) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) {
    return Ok();
  }
  std::optional<long long> t;
  if (it->is_string()) {
    t = ParseIsoTime(it->get<std::string>());
  }
  if (!t) {
    return FieldError(where + "." + name,
                      "must be null or a UTC time like 2027-01-01T00:00:00Z");
  }
  out = t;
  return Ok();
}

Status ReadMode(const json& o,
                const std::string& where,
                const char* name,
                BindMode& out) {
  std::string text = "none";
  if (auto s = ReadString(o, where, name, text, false); !s) {
    return s;
  }
  if (text == "none") {
    out = BindMode::kNone;
  } else if (text == "sticky") {
    out = BindMode::kSticky;
  } else if (text == "limit") {
    out = BindMode::kLimit;
  } else {
    return FieldError(where + "." + name, "must be none, sticky or limit");
  }
  return Ok();
}

#define GG_TRY(expr)                     \
  do {                                   \
    if (auto s_ = (expr); !s_) {         \
      return tl::unexpected(s_.error()); \
    }                                    \
  } while (false)

Result<ApiKey> ParseApiKey(const json& o, const std::string& where) {
  if (!o.is_object()) {
    return FieldError(where, "must be an object");
  }
  ApiKey k;
  GG_TRY(ReadString(o, where, "key", k.key, true));
  GG_TRY(ReadString(o, where, "id", k.id, false));
  if (k.id.empty()) {
    // Stable and not the key itself: the key is a secret, its id is not.
    auto h = crypto::Sha256Hex(k.key);
    k.id = "key_" + (h ? h->substr(0, 12) : std::string("unknown"));
  }
  if (!o.contains("permissions") || !o["permissions"].is_array()) {
    return FieldError(where + ".permissions", "must be an array of strings");
  }
  GG_TRY(ReadStrings(o, where, "permissions", k.permissions));
  GG_TRY(ReadInt(o, where, "rateLimitPerMinute", k.rate_limit_per_minute, 1));
  return k;
}

Result<Product> ParseProduct(const json& o, const std::string& where) {
  if (!o.is_object()) {
    return FieldError(where, "must be an object");
  }
  Product p;
  GG_TRY(ReadString(o, where, "id", p.id, true));
  GG_TRY(ReadInt(o, where, "rateLimitPerMinute", p.rate_limit_per_minute, 1));
  if (auto it = o.find("blacklist"); it != o.end() && !it->is_null()) {
    if (!it->is_object()) {
      return FieldError(where + ".blacklist", "must be an object");
    }
    GG_TRY(
        ReadStrings(*it, where + ".blacklist", "hwids", p.blacklisted_hwids));
    GG_TRY(ReadStrings(*it, where + ".blacklist", "ips", p.blacklisted_ips));
  }
  return p;
}

}  // namespace

Result<License> ParseLicense(const json& o, const std::string& where) {
  if (!o.is_object()) {
    return FieldError(where, "must be an object");
  }
  License l;
  l.source = o;
  GG_TRY(ReadString(o, where, "key", l.key, true));
  GG_TRY(ReadString(o, where, "id", l.id, true));
  GG_TRY(ReadString(o, where, "productId", l.product_id, true));
  l.status = "ACTIVE";
  GG_TRY(ReadString(o, where, "status", l.status, false));
  if (l.status != "ACTIVE" && l.status != "REVOKED" && l.status != "FROZEN") {
    return FieldError(where + ".status", "must be ACTIVE, REVOKED or FROZEN");
  }
  GG_TRY(ReadTime(o, where, "expiresAt", l.expires_at));
  GG_TRY(ReadTime(o, where, "activatedAt", l.activated_at));
  if (auto it = o.find("daysAfterActivation");
      it != o.end() && !it->is_null()) {
    int days = 0;
    GG_TRY(ReadInt(o, where, "daysAfterActivation", days, 0));
    l.days_after_activation = days;
  }
  GG_TRY(ReadMode(o, where, "hwidMode", l.hwid_mode));
  GG_TRY(ReadInt(o, where, "hwidLimit", l.hwid_limit, 0));
  GG_TRY(ReadMode(o, where, "ipMode", l.ip_mode));
  GG_TRY(ReadInt(o, where, "ipLimit", l.ip_limit, 0));
  GG_TRY(ReadInt(o, where, "ipWindowSeconds", l.ip_window_seconds, 1));
  if (auto it = o.find("allowedRegions"); it != o.end() && !it->is_null()) {
    std::vector<std::string> regions;
    GG_TRY(ReadStrings(o, where, "allowedRegions", regions));
    l.allowed_regions = std::move(regions);
  }
  GG_TRY(
      ReadInt(o, where, "maxConcurrentSessions", l.max_concurrent_sessions, 0));
  GG_TRY(ReadLong(o, where, "offlineGraceSeconds", l.offline_grace_seconds));
  GG_TRY(ReadInt(o, where, "heartbeatSeconds", l.heartbeat_seconds, 1));
  GG_TRY(ReadStrings(o, where, "hwids", l.hwids));
  GG_TRY(ReadStrings(o, where, "ips", l.ips));
  return l;
}

Result<Fixtures> ParseFixtures(std::string_view text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return FieldError("(file)", "is not valid JSON");
  }
  if (!root.is_object()) {
    return FieldError("(root)", "must be an object");
  }
  Fixtures f;
  const std::string top = "fixtures";
  if (auto s = ReadString(root, top, "signingSecret", f.signing_secret, true);
      !s) {
    return FieldError("signingSecret", "is required (a non-empty string)");
  }
  std::string seed_b64;
  if (auto s = ReadString(root, top, "responseSigningKeySeed", seed_b64, true);
      !s) {
    return FieldError("responseSigningKeySeed", "is required");
  }
  auto seed = crypto::Base64Decode(seed_b64);
  if (!seed || seed->size() != crypto::kEd25519KeySize) {
    return FieldError("responseSigningKeySeed",
                      "must be base64 of exactly 32 bytes");
  }
  f.response_seed = *seed;

  for (const char* name : {"apiKeys", "products", "licenses"}) {
    if (!root.contains(name) || !root[name].is_array()) {
      return FieldError(name, "must be an array");
    }
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < root["apiKeys"].size(); ++i) {
    std::string where = "apiKeys[" + std::to_string(i) + "]";
    auto k = ParseApiKey(root["apiKeys"][i], where);
    if (!k) {
      return tl::unexpected(k.error());
    }
    if (!seen.insert(k->key).second) {
      return FieldError(where + ".key", "is a duplicate");
    }
    f.api_keys.push_back(std::move(*k));
  }
  seen.clear();
  for (std::size_t i = 0; i < root["products"].size(); ++i) {
    std::string where = "products[" + std::to_string(i) + "]";
    auto p = ParseProduct(root["products"][i], where);
    if (!p) {
      return tl::unexpected(p.error());
    }
    if (!seen.insert(p->id).second) {
      return FieldError(where + ".id", "is a duplicate");
    }
    f.products.push_back(std::move(*p));
  }
  if (auto it = root.find("ipRegions"); it != root.end() && !it->is_null()) {
    if (!it->is_object()) {
      return FieldError("ipRegions", "must be an object of ip: region");
    }
    for (const auto& [ip, region] : it->items()) {
      if (!region.is_string()) {
        return FieldError("ipRegions." + ip, "must be a string");
      }
      f.ip_regions[ip] = region.get<std::string>();
    }
  }
  std::set<std::string> keys;
  for (std::size_t i = 0; i < root["licenses"].size(); ++i) {
    std::string where = "licenses[" + std::to_string(i) + "]";
    auto l = ParseLicense(root["licenses"][i], where);
    if (!l) {
      return tl::unexpected(l.error());
    }
    if (!seen.count(l->product_id)) {
      return FieldError(where + ".productId", "names no product");
    }
    if (!keys.insert(l->key).second) {
      return FieldError(where + ".key", "is a duplicate");
    }
    f.licenses.push_back(std::move(*l));
  }
  return f;
}

Result<Fixtures> LoadFixtures(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) {
    return MakeError(ErrorCode::kHarness, "cannot read fixtures " + path +
                                              ": " + text.error().message);
  }
  return ParseFixtures(*text);
}

std::optional<long long> ParseIsoTime(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return std::nullopt;
  }
  std::string s(text);
  std::tm tm{};
  int n =
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  if (n != 6 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
      tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm));
}

std::string FormatIsoTime(long long unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace gg::devserver
