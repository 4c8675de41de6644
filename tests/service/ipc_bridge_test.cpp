// Engine decisions become the verdict and error answers of ipc.md.
#include "service/ipc_bridge.h"

#include <gtest/gtest.h>

namespace gg::service {
namespace {

// An allow carries its session, source and times as RFC 3339, no reason.
TEST(IpcBridge, AllowBecomesVerdict) {
  agent::Decision d;
  d.allow = true;
  d.message = "License is valid";
  d.source = agent::Source::kOffline;
  d.session_id = "s_1";
  d.license_id = "lic";
  d.grace_ends_at = UnixTime{1763790001};
  auto answer = ToIpcAnswer(d);
  auto* v = std::get_if<ipc::Verdict>(&answer);
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->allow);
  EXPECT_FALSE(v->reason_code.has_value());
  EXPECT_EQ(v->source, "offline");
  EXPECT_EQ(v->session_id, "s_1");
  EXPECT_EQ(v->license_id, "lic");
  EXPECT_EQ(v->grace_ends_at, "2025-11-22T05:40:01Z");
  EXPECT_FALSE(v->effective_expires_at.has_value());
}

// A denial keeps the server's reason code and has no session.
TEST(IpcBridge, DenialKeepsReason) {
  agent::Decision d;
  d.reason_code = "HWID_MISMATCH";
  d.message = "Hardware ID does not match bound device";
  d.source = agent::Source::kOnline;
  auto answer = ToIpcAnswer(d);
  auto* v = std::get_if<ipc::Verdict>(&answer);
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->allow);
  EXPECT_EQ(v->reason_code, "HWID_MISMATCH");
  EXPECT_EQ(v->source, "online");
  EXPECT_FALSE(v->session_id.has_value());
}

// A request error becomes an error answer with the server's details.
TEST(IpcBridge, RequestErrorBecomesErrorAnswer) {
  agent::Decision d;
  d.error = agent::RequestError{agent::RequestErrorCode::kValidation,
                                "bad hwid",
                                {{"hwid", "must be hex"}}};
  auto answer = ToIpcAnswer(d);
  auto* e = std::get_if<ipc::ErrorAnswer>(&answer);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, ipc::WireCode::kValidationError);
  ASSERT_EQ(e->details.size(), 1u);
  EXPECT_EQ(e->details[0].first, "hwid");
  EXPECT_EQ(e->details[0].second, "must be hex");
}

}  // namespace
}  // namespace gg::service
