#include "agent/engine/decision.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>
#include <utility>

namespace gg::agent {
namespace {

using std::chrono::seconds;

Decision Deny(std::string_view reason, std::string message, Source source) {
  Decision d;
  d.allow = false;
  d.reason_code = std::string(reason);
  d.message = std::move(message);
  d.source = source;
  return d;
}

Decision Allow(const upstream::Verdict& verdict, Source source) {
  Decision d;
  d.allow = true;
  d.message = verdict.message.empty() ? "License is valid" : verdict.message;
  d.source = source;
  d.effective_expires_at = verdict.effective_expires_at;
  d.license_id = verdict.license_id;
  return d;
}

Decision FromVerdict(const upstream::Verdict& verdict, Source source) {
  if (verdict.allow) {
    return Allow(verdict, source);
  }
  Decision d = Deny(verdict.reason_code, verdict.message, source);
  d.license_id = verdict.license_id;
  return d;
}

// X-GG-Response-Timestamp (decimal Unix seconds, covered by the signature).
std::optional<UnixTime> ResponseTimestamp(
    const upstream::SignedMaterial& material) {
  const std::string& ts = material.response_timestamp;
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), v);
  if (ts.empty() || ec != std::errc() || ptr != ts.data() + ts.size()) {
    return std::nullopt;
  }
  return UnixTime{v};
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) {
      return false;
    }
  }
  return true;
}

// The limit of step 2: the newest signed policy we know for the key, else
// the configuration.
std::optional<int> SessionLimit(const DecisionInput& in,
                                const CachedVerdict* cached,
                                const DecisionOptions& options) {
  if (in.outcome != nullptr) {
    if (const auto* v = std::get_if<upstream::Verdict>(in.outcome)) {
      if (v->allow && v->signed_material && v->policy.max_concurrent_sessions) {
        return v->policy.max_concurrent_sessions;
      }
    }
  }
  if (cached != nullptr && cached->verdict.policy.max_concurrent_sessions) {
    return cached->verdict.policy.max_concurrent_sessions;
  }
  return options.max_concurrent_sessions;
}

// Step 7: upstream is unusable.
Decision Offline(const DecisionInput& in,
                 const CachedVerdict* cached,
                 const upstream::Failure& failure,
                 const DecisionOptions& options) {
  if (cached == nullptr) {
    if (failure.failure_class == upstream::FailureClass::kMisconfiguration &&
        failure.credentials_rejected) {
      return Deny(kAgentUnauthorized,
                  "The agent's credentials were rejected by the license "
                  "server and nothing usable is cached",
                  Source::kLocal);
    }
    return Deny(kAgentOffline,
                "The license server cannot be reached and nothing usable is "
                "cached",
                Source::kLocal);
  }
  if (!cached->verdict.allow) {
    return FromVerdict(cached->verdict, Source::kOffline);
  }
  if (in.clock_rollback) {
    return Deny(kClockTampered,
                "The system clock was set back; offline time cannot be "
                "trusted",
                Source::kOffline);
  }
  const UnixTime grace = GraceEndsAt(*cached, options);
  if (ToUnixTime(in.estimated_now) < grace) {
    Decision d = Allow(cached->verdict, Source::kOffline);
    d.grace_ends_at = grace;
    return d;
  }
  return Deny(kOfflineGraceExpired,
              "The offline grace period of the cached license has run out",
              Source::kOffline);
}

}  // namespace

std::string_view SourceName(Source source) {
  switch (source) {
    case Source::kOnline:
      return "online";
    case Source::kCache:
      return "cache";
    case Source::kOffline:
      return "offline";
    case Source::kLocal:
      return "local";
  }
  return "local";
}

long long RefreshIntervalSeconds(const CachedVerdict* cached,
                                 const DecisionOptions& options) {
  long long s = options.cache_ttl_seconds;
  if (cached != nullptr && cached->verdict.policy.heartbeat_seconds) {
    s = *cached->verdict.policy.heartbeat_seconds;
  }
  return std::max(1LL, s);
}

std::optional<UnixTime> SignedIssuedAt(const upstream::Verdict& verdict) {
  if (!verdict.signed_material) {
    return std::nullopt;
  }
  if (verdict.server_time) {
    return verdict.server_time;
  }
  return ResponseTimestamp(*verdict.signed_material);
}

std::optional<UnixTime> NewestSignedTime(const upstream::Verdict& verdict) {
  if (!verdict.signed_material) {
    return std::nullopt;
  }
  std::optional<UnixTime> newest = ResponseTimestamp(*verdict.signed_material);
  if (verdict.server_time && (!newest || *verdict.server_time > *newest)) {
    newest = verdict.server_time;
  }
  return newest;
}

UnixTime GraceEndsAt(const CachedVerdict& cached,
                     const DecisionOptions& options) {
  const auto base = SignedIssuedAt(cached.verdict);
  if (!base) {
    return UnixTime{std::numeric_limits<long long>::min()};
  }
  const long long grace = cached.verdict.policy.offline_grace_seconds.value_or(
      options.offline_grace_seconds);
  UnixTime end{SaturatingAdd(base->seconds, std::max(0LL, grace))};
  if (cached.verdict.effective_expires_at) {
    end = std::min(end, *cached.verdict.effective_expires_at);
  }
  return end;
}

std::optional<RequestError> ValidateAuthorize(std::string_view product_id,
                                              std::string_view license_key) {
  RequestError e;
  if (!IsUuid(product_id)) {
    e.message = "productId must be a UUID";
    e.details.push_back({"productId", "not a UUID"});
  }
  const bool printable =
      std::all_of(license_key.begin(), license_key.end(),
                  [](char c) { return c >= 0x20 && c < 0x7f; });
  if (license_key.empty() || license_key.size() > 256 || !printable) {
    if (e.message.empty()) {
      e.message = "licenseKey must be 1-256 printable characters";
    }
    e.details.push_back({"licenseKey", "not 1-256 printable characters"});
  }
  if (e.details.empty()) {
    return std::nullopt;
  }
  e.code = RequestErrorCode::kValidation;
  return e;
}

bool IsCacheable(const upstream::Verdict& verdict) {
  return verdict.signed_material.has_value() &&
         !(!verdict.allow && verdict.reason_code == kConcurrencyLimitExceeded);
}

std::optional<Decision> Decide(const DecisionInput& in,
                               const DecisionOptions& options) {
  const CachedVerdict* cached =
      in.cached != nullptr && in.cached->hwid == in.hwid ? in.cached : nullptr;

  // Step 2.
  if (auto limit = SessionLimit(in, cached, options);
      limit && in.local_sessions >= *limit) {
    return Deny(kConcurrencyLimitExceeded,
                "The license's limit of " + std::to_string(*limit) +
                    " concurrent sessions on this machine is reached",
                Source::kLocal);
  }

  if (in.outcome == nullptr) {
    if (cached == nullptr) {
      return std::nullopt;
    }
    const long long age = UnixSeconds(in.estimated_now) - cached->received_at;
    // A receipt time ahead of estimatedNow is never taken as fresh.
    if (age < 0) {
      return std::nullopt;
    }
    // Step 3.
    if (!cached->verdict.allow && age < options.deny_cache_seconds) {
      return FromVerdict(cached->verdict, Source::kCache);
    }
    // Step 4.
    const auto& expires = cached->verdict.effective_expires_at;
    if (cached->verdict.allow &&
        age < RefreshIntervalSeconds(cached, options) &&
        (!expires || ToUnixTime(in.estimated_now) < *expires)) {
      return Allow(cached->verdict, Source::kCache);
    }
    return std::nullopt;  // Step 5.
  }

  // Step 6.
  if (const auto* verdict = std::get_if<upstream::Verdict>(in.outcome)) {
    return FromVerdict(*verdict, Source::kOnline);
  }
  const auto& failure = std::get<upstream::Failure>(*in.outcome);
  if (failure.failure_class == upstream::FailureClass::kRequestError) {
    Decision d;
    RequestError e{RequestErrorCode::kValidation,
                   failure.message.empty() ? "The license server rejected "
                                             "the request"
                                           : failure.message,
                   failure.details};
    d.message = e.message;
    d.error = std::move(e);
    return d;
  }
  // Step 7.
  return Offline(in, cached, failure, options);
}

}  // namespace gg::agent
