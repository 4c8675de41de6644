#include "tests/devserver/license_book.h"

#include <algorithm>

namespace gg::devserver {
namespace {

using nlohmann::json;

Verdict Deny(const char* code, const char* message) {
  return Verdict{403,
                 code,
                 {{"ok", false},
                  {"allow", false},
                  {"reasonCode", code},
                  {"message", message}}};
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void CheckString(const json& o,
                 const char* field,
                 bool required,
                 std::string& out,
                 json& details) {
  auto it = o.find(field);
  if (it == o.end() || it->is_null()) {
    if (required) {
      details.push_back({{"field", field}, {"message", "Required"}});
    }
    return;
  }
  if (!it->is_string()) {
    details.push_back({{"field", field}, {"message", "Expected string"}});
    return;
  }
  out = it->get<std::string>();
  if (required && out.empty()) {
    details.push_back({{"field", field}, {"message", "Must not be empty"}});
  }
}

}  // namespace

tl::expected<AuthorizeInput, ApiError> ParseAuthorizeBody(
    std::string_view body) {
  json o = json::parse(body, nullptr, /*allow_exceptions=*/false);
  json details = json::array();
  AuthorizeInput in;
  if (o.is_discarded() || !o.is_object()) {
    details.push_back(
        {{"field", "body"}, {"message", "Expected a JSON object"}});
  } else {
    CheckString(o, "productId", true, in.product_id, details);
    CheckString(o, "licenseKey", true, in.license_key, details);
    CheckString(o, "hwid", true, in.hwid, details);
    CheckString(o, "instanceId", false, in.instance_id, details);
    CheckString(o, "agentVersion", false, in.agent_version, details);
    if (auto it = o.find("sessions"); it != o.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<long long>() < 0 ||
          it->get<long long>() > 100000) {
        details.push_back(
            {{"field", "sessions"}, {"message", "Expected an integer >= 0"}});
      } else {
        in.sessions = it->get<int>();
      }
    }
  }
  if (!details.empty()) {
    return tl::unexpected(ApiError{400,
                                   "VALIDATION_ERROR",
                                   "Request body failed validation",
                                   details,
                                   {}});
  }
  return in;
}

LicenseBook::LicenseBook(const Fixtures& fixtures, long long now)
    : fixtures_(fixtures) {
  for (const auto& l : fixtures_.licenses) {
    licenses_[l.key] = l;
    states_[l.key] = InitialState(l, now);
  }
}

LicenseBook::State LicenseBook::InitialState(const License& license,
                                             long long now) {
  State s;
  s.activated_at = license.activated_at;
  s.hwids = license.hwids;
  for (const auto& ip : license.ips) {
    s.ips[ip] = now;
  }
  return s;
}

const Product* LicenseBook::FindProduct(const std::string& id) const {
  for (const auto& p : fixtures_.products) {
    if (p.id == id) {
      return &p;
    }
  }
  return nullptr;
}

Verdict LicenseBook::Evaluate(const AuthorizeInput& in,
                              const std::string& client_ip,
                              long long now) {
  auto it = licenses_.find(in.license_key);
  if (it == licenses_.end()) {
    return Deny("LICENSE_NOT_FOUND", "License key doesn't exist");
  }
  const License& l = it->second;
  State& state = states_[l.key];
  if (l.product_id != in.product_id) {
    return Deny("PRODUCT_MISMATCH",
                "License exists but belongs to a different product");
  }
  const Product* product = FindProduct(l.product_id);
  if (product && Contains(product->blacklisted_hwids, in.hwid)) {
    return Deny("HWID_BLACKLISTED", "The hardware ID is blacklisted");
  }
  if (product && Contains(product->blacklisted_ips, client_ip)) {
    return Deny("IP_BLACKLISTED", "The IP address is blacklisted");
  }
  if (l.status != "ACTIVE") {
    return Deny("LICENSE_REVOKED", "License is REVOKED or FROZEN");
  }
  if (l.expires_at && now >= *l.expires_at) {
    return Deny("LICENSE_EXPIRED", "License is past its expiry date");
  }
  if (l.days_after_activation && state.activated_at &&
      now >= *state.activated_at + 86400LL * *l.days_after_activation) {
    return Deny("LICENSE_EXPIRED_RELATIVE",
                "License is past its days-after-activation window");
  }
  if (auto denied = CheckBindings(l, state, in, client_ip, now)) {
    return *denied;
  }
  // Concurrency: the latest report of each machine, stale ones dropped.
  state.sessions[in.hwid] = SessionReport{in.sessions, now};
  std::erase_if(state.sessions, [&](const auto& e) {
    return now - e.second.at > 2LL * l.heartbeat_seconds;
  });
  long long total = 0;
  for (const auto& [hwid, report] : state.sessions) {
    total += report.sessions;
  }
  if (total > l.max_concurrent_sessions) {
    return Deny("CONCURRENCY_LIMIT_EXCEEDED",
                "More active sessions than the policy allows");
  }
  return Allow(l, state, in, client_ip, now);
}

std::optional<Verdict> LicenseBook::CheckBindings(const License& l,
                                                  State& state,
                                                  const AuthorizeInput& in,
                                                  const std::string& ip,
                                                  long long now) const {
  bool known_hwid = Contains(state.hwids, in.hwid);
  if (l.hwid_mode == BindMode::kSticky && !state.hwids.empty() && !known_hwid) {
    return Deny("HWID_MISMATCH", "Hardware ID does not match bound device");
  }
  if (l.hwid_mode == BindMode::kLimit && !known_hwid &&
      static_cast<int>(state.hwids.size()) >= l.hwid_limit) {
    return Deny("HWID_LIMIT_EXCEEDED", "Too many distinct hardware IDs");
  }
  if (l.ip_mode == BindMode::kLimit) {
    std::erase_if(state.ips, [&](const auto& e) {
      return now - e.second > l.ip_window_seconds;
    });
  }
  bool known_ip = state.ips.count(ip) > 0;
  if (l.ip_mode == BindMode::kSticky && !state.ips.empty() && !known_ip) {
    return Deny("IP_MISMATCH", "IP doesn't match the bound address");
  }
  if (l.ip_mode == BindMode::kLimit && !known_ip &&
      static_cast<int>(state.ips.size()) >= l.ip_limit) {
    return Deny("IP_LIMIT_EXCEEDED", "Too many distinct IPs in the window");
  }
  if (l.allowed_regions) {
    auto r = fixtures_.ip_regions.find(ip);
    if (r == fixtures_.ip_regions.end() ||
        !Contains(*l.allowed_regions, r->second)) {
      return Deny("IP_REGION_MISMATCH",
                  "Client IP is outside the allowed regions");
    }
  }
  return std::nullopt;
}

Verdict LicenseBook::Allow(const License& l,
                           State& state,
                           const AuthorizeInput& in,
                           const std::string& ip,
                           long long now) {
  if (!state.activated_at) {
    state.activated_at = now;
  }
  if (l.hwid_mode != BindMode::kNone && !Contains(state.hwids, in.hwid)) {
    state.hwids.push_back(in.hwid);
  }
  if (l.ip_mode != BindMode::kNone) {
    state.ips[ip] = now;
  }
  std::optional<long long> effective = l.expires_at;
  if (l.days_after_activation) {
    long long rel = *state.activated_at + 86400LL * *l.days_after_activation;
    effective = effective ? std::min(*effective, rel) : rel;
  }
  nlohmann::ordered_json body = {
      {"ok", true},
      {"allow", true},
      {"licenseId", l.id},
      {"productId", l.product_id},
      {"effectiveExpiresAt",
       effective ? nlohmann::ordered_json(FormatIsoTime(*effective))
                 : nlohmann::ordered_json(nullptr)},
      {"serverTime", FormatIsoTime(now)},
      {"policy",
       {{"maxConcurrentSessions", l.max_concurrent_sessions},
        {"offlineGraceSeconds", l.offline_grace_seconds},
        {"heartbeatSeconds", l.heartbeat_seconds}}}};
  return Verdict{200, "", std::move(body)};
}

std::optional<ApiError> LicenseBook::Put(const std::string& key,
                                         const json& object,
                                         long long now) {
  auto invalid = [](std::string field, std::string message) {
    return ApiError{400,
                    "VALIDATION_ERROR",
                    "License object failed validation",
                    json::array({{{"field", std::move(field)},
                                  {"message", std::move(message)}}}),
                    {}};
  };
  if (!object.is_object()) {
    return invalid("body", "Expected a JSON object");
  }
  json merged = object;
  auto existing = licenses_.find(key);
  if (existing != licenses_.end()) {
    merged = existing->second.source;
    merged.merge_patch(object);
  }
  merged["key"] = key;
  auto parsed = ParseLicense(merged, "license");
  if (!parsed) {
    const std::string& msg = parsed.error().message;
    auto colon = msg.find(": ");
    std::string field = msg.substr(0, colon);
    if (field.rfind("license.", 0) == 0) {
      field = field.substr(8);
    }
    return invalid(field,
                   colon == std::string::npos ? msg : msg.substr(colon + 2));
  }
  if (!FindProduct(parsed->product_id)) {
    return invalid("productId", "names no product");
  }
  State fresh = InitialState(*parsed, now);
  State& state = states_[key];
  if (existing == licenses_.end() || object.contains("activatedAt")) {
    state.activated_at = fresh.activated_at;
  }
  if (existing == licenses_.end() || object.contains("hwids")) {
    state.hwids = fresh.hwids;
  }
  if (existing == licenses_.end() || object.contains("ips")) {
    state.ips = fresh.ips;
  }
  licenses_[key] = std::move(*parsed);
  return std::nullopt;
}

}  // namespace gg::devserver
