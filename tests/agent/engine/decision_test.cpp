// The decision of agent.md §3, branch by branch, as one table.
#include "agent/engine/decision.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <optional>
#include <string>

#include "tests/agent/engine/signed_verdicts.h"

namespace gg::agent {
namespace {

using testing::SignedVerdict;
using testing::VerdictSpec;

constexpr long long kT0 = 1763790000;

upstream::Failure Failure(upstream::FailureClass cls,
                          std::string code,
                          bool credentials = false) {
  upstream::Failure f;
  f.failure_class = cls;
  f.code = std::move(code);
  f.message = "server said " + f.code;
  f.credentials_rejected = credentials;
  return f;
}

const auto kTransient = upstream::FailureClass::kTransient;

struct Case {
  std::string name{};
  std::optional<VerdictSpec> cached{};  // received at kT0
  std::string cached_hwid = testing::kHwid;
  long long now = kT0;
  int local_sessions = 0;
  std::optional<upstream::Outcome> outcome{};
  bool rollback = false;
  DecisionOptions options{};
  std::string license_key = "KEY-1";
  // Expected: nullopt means "ask upstream".
  bool ask_upstream = false;
  bool allow = false;
  std::string reason{};
  Source source = Source::kLocal;
  std::optional<RequestErrorCode> error_code{};
  std::optional<long long> grace_ends_at{};
};

VerdictSpec Allow() {
  return VerdictSpec{};
}
VerdictSpec Deny(std::string reason) {
  VerdictSpec s;
  s.allow = false;
  s.reason_code = std::move(reason);
  return s;
}
VerdictSpec With(VerdictSpec s, std::function<void(VerdictSpec&)> f) {
  f(s);
  return s;
}

std::vector<Case> Table() {
  DecisionOptions limit2;
  limit2.max_concurrent_sessions = 2;
  upstream::Failure bad_request =
      Failure(upstream::FailureClass::kRequestError, "VALIDATION_ERROR");
  bad_request.details = {{"hwid", "too long"}};
  upstream::Verdict not_found;
  not_found.reason_code = "LICENSE_NOT_FOUND";
  not_found.message = "no such license";
  return {
      {.name = "nothing cached, not asked: ask upstream", .ask_upstream = true},
      {.name = "local limit from config",
       .local_sessions = 2,
       .options = limit2,
       .reason = "CONCURRENCY_LIMIT_EXCEEDED",
       .source = Source::kLocal},
      {.name = "under the config limit: ask upstream",
       .local_sessions = 1,
       .options = limit2,
       .ask_upstream = true},
      {.name = "signed policy limit overrides config",
       .cached = With(Allow(), [](auto& s) { s.max_sessions = 3; }),
       .local_sessions = 2,
       .options = limit2,
       .allow = true,
       .source = Source::kCache},
      {.name = "signed policy limit reached",
       .cached = With(Allow(), [](auto& s) { s.max_sessions = 1; }),
       .local_sessions = 1,
       .reason = "CONCURRENCY_LIMIT_EXCEEDED",
       .source = Source::kLocal},
      {.name = "cached denial younger than denyCacheSeconds",
       .cached = Deny("LICENSE_REVOKED"),
       .now = kT0 + 59,
       .reason = "LICENSE_REVOKED",
       .source = Source::kCache},
      {.name = "cached denial older than denyCacheSeconds: ask",
       .cached = Deny("LICENSE_REVOKED"),
       .now = kT0 + 60,
       .ask_upstream = true},
      {.name = "cached allow younger than cacheTtlSeconds",
       .cached = Allow(),
       .now = kT0 + 299,
       .allow = true,
       .source = Source::kCache},
      {.name = "cached allow at cacheTtlSeconds: ask",
       .cached = Allow(),
       .now = kT0 + 300,
       .ask_upstream = true},
      {.name = "signed heartbeatSeconds overrides cacheTtlSeconds",
       .cached = With(Allow(), [](auto& s) { s.heartbeat_seconds = 30; }),
       .now = kT0 + 30,
       .ask_upstream = true},
      {.name = "cached allow past effectiveExpiresAt: ask",
       .cached = With(Allow(), [](auto& s) { s.expires_at = kT0 + 10; }),
       .now = kT0 + 10,
       .ask_upstream = true},
      {.name = "cached allow for another hwid is ignored",
       .cached = Allow(),
       .cached_hwid = "bbbb2222",
       .now = kT0 + 1,
       .ask_upstream = true},
      {.name = "receipt time ahead of estimatedNow is not fresh",
       .cached = Allow(),
       .now = kT0 - 5,
       .ask_upstream = true},
      {.name = "online allow",
       .outcome = upstream::Outcome(SignedVerdict(Allow())),
       .allow = true,
       .source = Source::kOnline},
      {.name = "online denial passes the reason through",
       .cached = Allow(),
       .now = kT0 + 400,
       .outcome = upstream::Outcome(SignedVerdict(Deny("HWID_MISMATCH"))),
       .reason = "HWID_MISMATCH",
       .source = Source::kOnline},
      {.name = "server concurrency denial passes through",
       .outcome =
           upstream::Outcome(SignedVerdict(Deny("CONCURRENCY_LIMIT_EXCEEDED"))),
       .reason = "CONCURRENCY_LIMIT_EXCEEDED",
       .source = Source::kOnline},
      {.name = "unsigned 404 denies online",
       .cached = Allow(),
       .now = kT0 + 400,
       .outcome = upstream::Outcome(not_found),
       .reason = "LICENSE_NOT_FOUND",
       .source = Source::kOnline},
      {.name = "request error: VALIDATION_ERROR with details",
       .outcome = upstream::Outcome(bad_request),
       .error_code = RequestErrorCode::kValidation},
      {.name = "offline allow with graceEndsAt from config",
       .cached = Allow(),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .allow = true,
       .source = Source::kOffline,
       .grace_ends_at = kT0 + 259200},
      {.name = "offline grace from signed policy",
       .cached = With(Allow(), [](auto& s) { s.grace_seconds = 3600; }),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .allow = true,
       .source = Source::kOffline,
       .grace_ends_at = kT0 + 3600},
      {.name = "graceEndsAt capped by effectiveExpiresAt",
       .cached = With(Allow(), [](auto& s) { s.expires_at = kT0 + 2000; }),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "TIMEOUT")),
       .allow = true,
       .source = Source::kOffline,
       .grace_ends_at = kT0 + 2000},
      {.name = "year 9999 expiry and 2^53 s grace: graceEndsAt is the expiry",
       .cached = With(Allow(),
                      [](auto& s) {
                        s.expires_at = 253402300799;  // 9999-12-31T23:59:59Z
                        s.grace_seconds = 9007199254740992;  // 2^53
                      }),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .allow = true,
       .source = Source::kOffline,
       .grace_ends_at = 253402300799},
      {.name = "a grace that would overflow saturates instead of wrapping",
       .cached = With(Allow(),
                      [](auto& s) {
                        s.grace_seconds = std::numeric_limits<long long>::max();
                      }),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .allow = true,
       .source = Source::kOffline,
       .grace_ends_at = std::numeric_limits<long long>::max()},
      {.name = "a year 9999 expiry is fresh from the cache",
       .cached = With(Allow(), [](auto& s) { s.expires_at = 253402300799; }),
       .now = kT0 + 10,
       .allow = true,
       .source = Source::kCache},
      {.name = "grace expired",
       .cached = With(Allow(), [](auto& s) { s.grace_seconds = 3600; }),
       .now = kT0 + 3600,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .reason = "OFFLINE_GRACE_EXPIRED",
       .source = Source::kOffline},
      {.name = "rollback: CLOCK_TAMPERED instead of an offline allow",
       .cached = Allow(),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .rollback = true,
       .reason = "CLOCK_TAMPERED",
       .source = Source::kOffline},
      {.name = "offline denial keeps its reason",
       .cached = Deny("LICENSE_SUSPENDED"),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .reason = "LICENSE_SUSPENDED",
       .source = Source::kOffline},
      {.name = "nothing cached: AGENT_OFFLINE",
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .reason = "AGENT_OFFLINE",
       .source = Source::kLocal},
      {.name = "nothing cached, 500 config family: AGENT_OFFLINE",
       .outcome = upstream::Outcome(
           Failure(upstream::FailureClass::kMisconfiguration, "CONFIG_ERROR")),
       .reason = "AGENT_OFFLINE",
       .source = Source::kLocal},
      {.name = "nothing cached, credentials rejected: AGENT_UNAUTHORIZED",
       .outcome = upstream::Outcome(Failure(
           upstream::FailureClass::kMisconfiguration, "UNAUTHORIZED", true)),
       .reason = "AGENT_UNAUTHORIZED",
       .source = Source::kLocal},
      {.name = "credentials rejected but a cached allow: offline allow",
       .cached = Allow(),
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(
           upstream::FailureClass::kMisconfiguration, "UNAUTHORIZED", true)),
       .allow = true,
       .source = Source::kOffline,
       .grace_ends_at = kT0 + 259200},
      {.name = "a cached allow of another machine is not used offline",
       .cached = Allow(),
       .cached_hwid = "bbbb2222",
       .now = kT0 + 1000,
       .outcome = upstream::Outcome(Failure(kTransient, "NETWORK")),
       .reason = "AGENT_OFFLINE",
       .source = Source::kLocal},
  };
}

// Every branch of §3 gives the answer, source and graceEndsAt the spec says.
TEST(DecisionTest, Table) {
  for (const Case& c : Table()) {
    SCOPED_TRACE(c.name);
    std::optional<CachedVerdict> cached;
    if (c.cached) {
      cached = CachedVerdict{SignedVerdict(*c.cached), c.cached_hwid, kT0};
    }
    DecisionInput in;
    in.product_id = testing::kProduct;
    in.license_key = c.license_key;
    in.hwid = testing::kHwid;
    in.cached = cached ? &*cached : nullptr;
    in.local_sessions = c.local_sessions;
    in.outcome = c.outcome ? &*c.outcome : nullptr;
    in.estimated_now = FromUnixSeconds(c.now);
    in.clock_rollback = c.rollback;
    const auto d = Decide(in, c.options);
    if (c.ask_upstream) {
      EXPECT_FALSE(d.has_value());
      continue;
    }
    ASSERT_TRUE(d.has_value());
    if (c.error_code) {
      ASSERT_TRUE(d->error.has_value());
      EXPECT_EQ(d->error->code, *c.error_code);
      EXPECT_FALSE(d->allow);
      continue;
    }
    EXPECT_FALSE(d->error.has_value());
    EXPECT_EQ(d->allow, c.allow);
    EXPECT_EQ(d->reason_code, c.reason);
    EXPECT_EQ(SourceName(d->source), SourceName(c.source));
    if (c.grace_ends_at) {
      ASSERT_TRUE(d->grace_ends_at.has_value());
      EXPECT_EQ(UnixSeconds(*d->grace_ends_at), *c.grace_ends_at);
    } else {
      EXPECT_FALSE(d->grace_ends_at.has_value());
    }
    if (d->allow) {
      EXPECT_EQ(d->license_id, "lic-1");
    }
  }
}

// A request error carries the server's field details to the app.
TEST(DecisionTest, RequestErrorKeepsServerDetails) {
  upstream::Failure f;
  f.failure_class = upstream::FailureClass::kRequestError;
  f.code = "BAD_REQUEST";
  f.message = "hwid: too long";
  f.details = {{"hwid", "too long"}};
  const upstream::Outcome outcome = f;
  DecisionInput in;
  in.product_id = testing::kProduct;
  in.license_key = "KEY-1";
  in.outcome = &outcome;
  const auto d = Decide(in, {});
  ASSERT_TRUE(d && d->error);
  EXPECT_EQ(d->error->code, RequestErrorCode::kValidation);
  EXPECT_EQ(d->error->message, "hwid: too long");
  ASSERT_EQ(d->error->details.size(), 1u);
  EXPECT_EQ(d->error->details[0].field, "hwid");
}

// Step 1 names the bad field; a good request passes.
TEST(DecisionTest, ValidateAuthorizeNamesTheField) {
  EXPECT_FALSE(ValidateAuthorize(testing::kProduct, "K").has_value());
  auto e = ValidateAuthorize("not-a-uuid", "K");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->details.at(0).field, "productId");
  e = ValidateAuthorize(testing::kProduct, std::string(257, 'k'));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->details.at(0).field, "licenseKey");
  EXPECT_TRUE(ValidateAuthorize(testing::kProduct, "a\nb").has_value());
  // The limits the IPC layer checked before it left content to the engine.
  EXPECT_EQ(ValidateAuthorize("x", "k")->message, "productId must be a UUID");
  EXPECT_EQ(ValidateAuthorize(testing::kProduct, "")->details.at(0).field,
            "licenseKey");
  EXPECT_FALSE(ValidateAuthorize(testing::kProduct, std::string(256, 'k')));
  EXPECT_TRUE(ValidateAuthorize(testing::kProduct, "a\tb"));
  EXPECT_EQ(ValidateAuthorize("x", "")->details.size(), 2u);
}

// Signed verdicts are cached, except server concurrency denials and
// unsigned 404s.
TEST(DecisionTest, IsCacheable) {
  EXPECT_TRUE(IsCacheable(SignedVerdict(Allow())));
  EXPECT_TRUE(IsCacheable(SignedVerdict(Deny("LICENSE_REVOKED"))));
  EXPECT_FALSE(IsCacheable(SignedVerdict(Deny("CONCURRENCY_LIMIT_EXCEEDED"))));
  upstream::Verdict unsigned_404;
  unsigned_404.reason_code = "LICENSE_NOT_FOUND";
  EXPECT_FALSE(IsCacheable(unsigned_404));
}

}  // namespace
}  // namespace gg::agent

namespace gg::agent {
namespace {

// graceEndsAt comes from signed times only: the serverTime, else the signed
// response timestamp, never the row's unsigned receipt time; with no
// signed time at all there is no grace.
TEST(DecisionTest, GraceEndsAtUsesSignedTimesOnly) {
  CachedVerdict cached{
      testing::SignedVerdict({.server_time = kT0, .grace_seconds = 100}),
      testing::kHwid, kT0 + 999999};
  DecisionOptions options;
  EXPECT_EQ(GraceEndsAt(cached, options).seconds, kT0 + 100);
  cached.verdict.server_time.reset();
  cached.verdict.signed_material->response_timestamp = std::to_string(kT0 + 7);
  EXPECT_EQ(GraceEndsAt(cached, options).seconds, kT0 + 107);
  cached.verdict.signed_material->response_timestamp = "not-a-time";
  EXPECT_LT(GraceEndsAt(cached, options).seconds, 0);
}

}  // namespace
}  // namespace gg::agent
