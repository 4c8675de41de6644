// Unit tests of the socket-free protocol layer: framing, validation,
// encoding and LISTEN_FDS parsing.
#include "ipc/protocol.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gg::ipc {
namespace {

using nlohmann::json;

constexpr char kUuid[] = "123e4567-e89b-12d3-a456-426614174000";

ErrorAnswer ErrorOf(std::string_view line) {
  auto parsed = ParseRequest(line);
  EXPECT_TRUE(std::holds_alternative<RejectedRequest>(parsed)) << line;
  if (!std::holds_alternative<RejectedRequest>(parsed)) {
    return {};
  }
  return std::get<RejectedRequest>(parsed).error;
}

// A line split across many reads comes out once, whole.
TEST(LineFramerTest, JoinsSplitReads) {
  LineFramer f;
  std::vector<std::string> lines;
  ASSERT_TRUE(f.Feed("{\"a\":", lines));
  EXPECT_TRUE(lines.empty());
  EXPECT_TRUE(f.HasPartial());
  ASSERT_TRUE(f.Feed("1}", lines));
  ASSERT_TRUE(f.Feed("\n", lines));
  ASSERT_EQ(lines, std::vector<std::string>{"{\"a\":1}"});
  EXPECT_FALSE(f.HasPartial());
}

// Many frames in one read come out separately and in order.
TEST(LineFramerTest, SplitsManyFramesInOneRead) {
  LineFramer f;
  std::vector<std::string> lines;
  ASSERT_TRUE(f.Feed("a\nb\nc\nd", lines));
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(f.HasPartial());
}

// A frame of exactly 65,536 bytes with its newline passes.
TEST(LineFramerTest, AcceptsExactlyTheLimit) {
  LineFramer f;
  std::vector<std::string> lines;
  std::string body(kMaxFrameBytes - 1, 'x');
  ASSERT_TRUE(f.Feed(body.substr(0, 1000), lines));
  ASSERT_TRUE(f.Feed(body.substr(1000) + "\n", lines));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].size(), kMaxFrameBytes - 1);
}

// One byte more fails, even before the newline arrives, and stays failed.
TEST(LineFramerTest, RejectsOneByteOver) {
  LineFramer f;
  std::vector<std::string> lines;
  std::string body(kMaxFrameBytes, 'x');
  EXPECT_FALSE(f.Feed(body, lines));
  EXPECT_FALSE(f.Feed("\n{}\n", lines));
  EXPECT_TRUE(lines.empty());
  LineFramer g;
  EXPECT_FALSE(g.Feed(body + "\n", lines));
}

// A complete authorize request yields every typed field.
TEST(ParseRequestTest, ParsesAuthorize) {
  auto parsed = ParseRequest(
      R"({"v":1,"id":"a1","op":"authorize","productId":")" +
      std::string(kUuid) +
      R"(","licenseKey":"K-1","app":{"name":"App","version":"2"},"detached":true})");
  ASSERT_TRUE(std::holds_alternative<Request>(parsed));
  const auto& r = std::get<Request>(parsed);
  EXPECT_EQ(r.op, Op::kAuthorize);
  EXPECT_EQ(r.id, json("a1"));
  EXPECT_EQ(r.authorize.product_id, kUuid);
  EXPECT_EQ(r.authorize.license_key, "K-1");
  ASSERT_TRUE(r.authorize.app.has_value());
  EXPECT_EQ(r.authorize.app->name, "App");
  EXPECT_TRUE(r.authorize.detached);
}

// Not JSON, a JSON array, a scalar: BAD_REQUEST with a null id.
TEST(ParseRequestTest, BadRequestForNonObjects) {
  EXPECT_EQ(ErrorOf("not json").code, WireCode::kBadRequest);
  EXPECT_EQ(ErrorOf("[1,2,3]").code, WireCode::kBadRequest);
  EXPECT_EQ(ErrorOf("42").code, WireCode::kBadRequest);
  EXPECT_EQ(ErrorOf("").code, WireCode::kBadRequest);
}

// Invalid UTF-8 and NUL bytes are refused before parsing.
TEST(ParseRequestTest, BadRequestForInvalidUtf8AndNul) {
  EXPECT_EQ(ErrorOf("{\"v\":1,\"id\":1,\"op\":\"p\xff\"}").code,
            WireCode::kBadRequest);
  EXPECT_EQ(ErrorOf("{\"v\":1,\"id\":1,\"op\":\"\xc0\xaf\"}").code,
            WireCode::kBadRequest);  // overlong '/'
  static constexpr char kWithNul[] = "{\"v\":1,\"id\":1,\0\"op\":\"ping\"}";
  EXPECT_EQ(ErrorOf(std::string(kWithNul, sizeof(kWithNul) - 1)).code,
            WireCode::kBadRequest);
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));      // truncated
}

// Deep nesting is refused without recursing; moderate nesting is fine.
TEST(ParseRequestTest, DeepNestingRefused) {
  std::string deep =
      "{\"v\":1,\"id\":1,\"op\":\"ping\",\"x\":" + std::string(10000, '[') +
      std::string(10000, ']') + "}";
  EXPECT_EQ(ErrorOf(deep).code, WireCode::kBadRequest);
  std::string ok =
      "{\"v\":1,\"id\":1,\"op\":\"ping\",\"x\":" + std::string(10, '[') +
      std::string(10, ']') + "}";
  EXPECT_TRUE(std::holds_alternative<Request>(ParseRequest(ok)));
  // Brackets inside strings do not count.
  std::string in_string =
      R"({"v":1,"id":1,"op":"ping","x":")" + std::string(100, '[') + "\"}";
  EXPECT_TRUE(std::holds_alternative<Request>(ParseRequest(in_string)));
}

// Version, id and op errors, with the id echoed when it was readable.
TEST(ParseRequestTest, EnvelopeErrors) {
  auto parsed = ParseRequest(R"({"v":2,"id":7,"op":"ping"})");
  ASSERT_TRUE(std::holds_alternative<RejectedRequest>(parsed));
  EXPECT_EQ(std::get<RejectedRequest>(parsed).error.code,
            WireCode::kUnsupportedVersion);
  EXPECT_EQ(std::get<RejectedRequest>(parsed).id, json(7));
  EXPECT_EQ(ErrorOf(R"({"v":1,"id":7,"op":"fly"})").code, WireCode::kUnknownOp);
  EXPECT_EQ(ErrorOf(R"({"v":1,"id":[1],"op":"ping"})").code,
            WireCode::kValidationError);
  EXPECT_EQ(ErrorOf(R"({"v":1,"op":"ping"})").code, WireCode::kValidationError);
  EXPECT_EQ(ErrorOf(R"({"id":1,"op":"ping"})").code,
            WireCode::kValidationError);
  EXPECT_EQ(ErrorOf(R"({"v":1,"id":1})").code, WireCode::kValidationError);
}

// Per-op field validation carries the field in details.
TEST(ParseRequestTest, FieldValidation) {
  // Types only here; what a product ID or license key may be is the
  // engine's one check (DecisionTest.ValidateAuthorizeNamesTheField).
  auto bad_type = ErrorOf(
      R"({"v":1,"id":1,"op":"authorize","productId":7,"licenseKey":"k"})");
  EXPECT_EQ(bad_type.code, WireCode::kValidationError);
  ASSERT_EQ(bad_type.details.size(), 1u);
  EXPECT_EQ(bad_type.details[0].first, "productId");
  std::string head = R"({"v":1,"id":1,"op":"authorize","productId":")" +
                     std::string(kUuid) + R"(","licenseKey":)";
  EXPECT_EQ(ErrorOf(head + "null}").details.at(0).first, "licenseKey");
  EXPECT_TRUE(std::holds_alternative<Request>(ParseRequest(
      R"({"v":1,"id":1,"op":"authorize","productId":"x","licenseKey":""})")));
  EXPECT_EQ(ErrorOf(head + "\"k\",\"detached\":1}").details.at(0).first,
            "detached");
  EXPECT_EQ(ErrorOf(head + "\"k\",\"app\":{\"name\":1}}").details.at(0).first,
            "app");
  EXPECT_EQ(ErrorOf(R"({"v":1,"id":1,"op":"heartbeat"})").details.at(0).first,
            "sessionId");
  EXPECT_EQ(ErrorOf(R"({"v":1,"id":1,"op":"release","sessionId":""})").code,
            WireCode::kValidationError);
}

// A deny carries ok:false and allow:false; an allow carries every field.
TEST(EncodeTest, VerdictsMirrorTheEnvelope) {
  Verdict deny;
  deny.reason_code = "HWID_MISMATCH";
  deny.message = "m";
  deny.source = "online";
  json d = json::parse(EncodeVerdict(7, deny));
  EXPECT_EQ(d["ok"], false);
  EXPECT_EQ(d["allow"], false);
  EXPECT_EQ(d["reasonCode"], "HWID_MISMATCH");
  EXPECT_EQ(d["id"], 7);
  Verdict allow;
  allow.allow = true;
  allow.source = "cache";
  allow.session_id = "s_1";
  json a = json::parse(EncodeVerdict("x", allow));
  EXPECT_EQ(a["ok"], true);
  EXPECT_TRUE(a["reasonCode"].is_null());
  EXPECT_EQ(a["sessionId"], "s_1");
  EXPECT_TRUE(a.contains("graceEndsAt"));
  EXPECT_EQ(EncodeVerdict(1, allow).back(), '\n');
}

// Errors have allow:false and details as {field, message} objects.
TEST(EncodeTest, ErrorsFailClosed) {
  ErrorAnswer e{
      WireCode::kValidationError, "bad", {{"productId", "not a UUID"}}};
  json j = json::parse(EncodeError(nullptr, e));
  EXPECT_EQ(j["allow"], false);
  EXPECT_EQ(j["ok"], false);
  EXPECT_TRUE(j["id"].is_null());
  EXPECT_EQ(j["error"]["details"][0]["field"], "productId");
}

// Status, sessions and events carry the spec's field names.
TEST(EncodeTest, StatusSessionsEvents) {
  StatusInfo s;
  s.version = "1";
  s.sessions = 3;
  json st = json::parse(EncodeStatus(1, s));
  for (const char* k : {"version", "machineFingerprint", "instanceId", "online",
                        "lastContactAt", "lastError", "sessions",
                        "cachedVerdicts", "uptimeSeconds"}) {
    EXPECT_TRUE(st.contains(k)) << k;
  }
  EXPECT_EQ(st["sessions"], 3);
  SessionInfo row;
  row.session_id = "s";
  json ss = json::parse(EncodeSessions(1, {row}));
  EXPECT_EQ(ss["sessions"][0]["sessionId"], "s");
  EXPECT_TRUE(ss["sessions"][0].contains("lastSeenAt"));
  Verdict v;
  v.reason_code = "LICENSE_REVOKED";
  json ev = json::parse(EncodeVerdictEvent("s_1", v));
  EXPECT_EQ(ev["event"], "verdict");
  EXPECT_EQ(ev["sessionId"], "s_1");
  EXPECT_FALSE(ev.contains("id"));
  json shutdown = json::parse(EncodeShutdownEvent());
  EXPECT_EQ(shutdown["event"], "shutdown");
  EXPECT_EQ(shutdown["reasonCode"], "AGENT_STOPPING");
  EXPECT_FALSE(shutdown.value("message", "").empty());
}

// Status says since when the upstream fails and the last rate-limit
// headers it saw; both are null when there is nothing to say.
TEST(EncodeTest, StatusLastErrorSinceAndRateLimit) {
  StatusInfo s;
  json quiet = json::parse(EncodeStatus(1, s));
  EXPECT_TRUE(quiet["lastAttemptAt"].is_null());
  EXPECT_TRUE(quiet["lastError"].is_null());
  EXPECT_TRUE(quiet["rateLimit"].is_null());
  s.last_attempt_at = "2026-12-01T10:00:05Z";
  s.last_error = LastError{"NETWORK",
                           "connect failed",
                           "",
                           "2026-12-01T10:00:00Z",
                           "2026-12-01T10:00:05Z",
                           3};
  s.rate_limit = RateLimitInfo{{{"key", 4}, {"product", 90}},
                               120,
                               std::nullopt,
                               60,
                               "2026-12-01T09:59:00Z"};
  json st = json::parse(EncodeStatus(1, s));
  EXPECT_EQ(st["online"], false);
  EXPECT_EQ(st["lastAttemptAt"], "2026-12-01T10:00:05Z");
  EXPECT_EQ(st["lastError"]["since"], "2026-12-01T10:00:00Z");
  EXPECT_EQ(st["lastError"]["at"], "2026-12-01T10:00:05Z");
  EXPECT_EQ(st["lastError"]["failedAttempts"], 3);
  EXPECT_EQ(st["rateLimit"]["remaining"]["key"], 4);
  EXPECT_EQ(st["rateLimit"]["remaining"]["product"], 90);
  EXPECT_EQ(st["rateLimit"]["limit"], 120);
  EXPECT_TRUE(st["rateLimit"]["reset"].is_null());
  EXPECT_EQ(st["rateLimit"]["retryAfterSeconds"], 60);
  EXPECT_EQ(st["rateLimit"]["observedAt"], "2026-12-01T09:59:00Z");
}

}  // namespace
}  // namespace gg::ipc
