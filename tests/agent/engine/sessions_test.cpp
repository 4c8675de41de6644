// SessionTable (processes through the fake probe).
#include "agent/engine/sessions.h"

#include <gtest/gtest.h>

#include <map>

#include "platform/process_probe.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_process_probe.h"

namespace gg::agent {
namespace {

using std::chrono::seconds;

using FakeProbe = testing::FakeProcessProbe;

const store::VerdictKey kKeyA{"p", "A"};
const store::VerdictKey kKeyB{"p", "B"};

Session MakeSession(const store::VerdictKey& key,
                    ConnectionId conn,
                    bool detached,
                    int pid,
                    MonoTime mono) {
  Session s;
  s.key = key;
  s.connection_id = conn;
  s.detached = detached;
  s.pid = pid;
  s.last_seen_mono = mono;
  return s;
}

class SessionsTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_;
  FakeProbe probe_;
  SessionTable table_{probe_};
};

// Ids are "s_" + 32 hex, distinct; counts are per key; release frees one.
TEST_F(SessionsTest, OpenCountRelease) {
  const Session* a = *table_.Open(MakeSession(kKeyA, 1, false, 0, {}));
  const std::string a_id = a->id;
  const std::string b_id =
      (*table_.Open(MakeSession(kKeyA, 1, false, 0, {})))->id;
  ASSERT_TRUE(table_.Open(MakeSession(kKeyB, 2, false, 0, {})));
  EXPECT_EQ(a_id.size(), 34u);
  EXPECT_EQ(a_id.rfind("s_", 0), 0u);
  EXPECT_NE(a_id, b_id);
  EXPECT_EQ(table_.CountFor(kKeyA), 2);
  EXPECT_EQ(table_.CountFor(kKeyB), 1);
  EXPECT_TRUE(table_.Release(a_id).has_value());
  EXPECT_FALSE(table_.Release(a_id).has_value());
  EXPECT_EQ(table_.CountFor(kKeyA), 1);
  EXPECT_EQ(table_.size(), 2u);
  EXPECT_EQ(table_.KeysWithSessions().size(), 2u);
}

// A closed connection ends its bound sessions, not its detached ones nor
// other connections'.
TEST_F(SessionsTest, ConnectionClosedKeepsDetached) {
  probe_.alive[42] = 7;
  ASSERT_TRUE(table_.Open(MakeSession(kKeyA, 1, false, 42, {})));
  ASSERT_TRUE(table_.Open(MakeSession(kKeyA, 1, true, 42, {})));
  ASSERT_TRUE(table_.Open(MakeSession(kKeyA, 2, false, 42, {})));
  EXPECT_EQ(table_.ReleaseConnection(1).size(), 1u);
  EXPECT_EQ(table_.CountFor(kKeyA), 2);
  EXPECT_TRUE(table_.HasDetached());
}

// A detached session ends after the heartbeat timeout, and a heartbeat
// keeps it alive.
TEST_F(SessionsTest, DetachedExpiresWithoutHeartbeat) {
  probe_.alive[42] = 7;
  const std::string id =
      (*table_.Open(MakeSession(kKeyA, 1, true, 42, clock_.Monotonic())))->id;
  clock_.Advance(seconds(60));
  EXPECT_TRUE(table_.Touch(id, clock_.Now(), clock_.Monotonic()));
  clock_.Advance(seconds(60));
  EXPECT_TRUE(table_.ExpireDetached(clock_.Monotonic(), seconds(90)).empty());
  clock_.Advance(seconds(30));
  const auto ended = table_.ExpireDetached(clock_.Monotonic(), seconds(90));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].id, id);
  EXPECT_EQ(table_.CountFor(kKeyA), 0);
}

// A detached session ends at once when its process is gone or its pid now
// belongs to a process with another start time.
TEST_F(SessionsTest, DetachedEndsWhenProcessGoneOrPidReused) {
  probe_.alive[42] = 7;
  probe_.alive[43] = 8;
  ASSERT_TRUE(table_.Open(MakeSession(kKeyA, 1, true, 42, clock_.Monotonic())));
  ASSERT_TRUE(table_.Open(MakeSession(kKeyA, 1, true, 43, clock_.Monotonic())));
  EXPECT_TRUE(table_.ExpireDetached(clock_.Monotonic(), seconds(90)).empty());
  probe_.alive.erase(42);
  probe_.alive[43] = 9;  // pid reused
  EXPECT_EQ(table_.ExpireDetached(clock_.Monotonic(), seconds(90)).size(), 2u);
  EXPECT_EQ(table_.size(), 0u);
}

// ReleaseKey ends every session of one key only.
TEST_F(SessionsTest, ReleaseKey) {
  ASSERT_TRUE(table_.Open(MakeSession(kKeyA, 1, false, 0, {})));
  ASSERT_TRUE(table_.Open(MakeSession(kKeyA, 2, false, 0, {})));
  ASSERT_TRUE(table_.Open(MakeSession(kKeyB, 2, false, 0, {})));
  EXPECT_EQ(table_.ReleaseKey(kKeyA).size(), 2u);
  EXPECT_EQ(table_.CountFor(kKeyB), 1);
}

}  // namespace
}  // namespace gg::agent
