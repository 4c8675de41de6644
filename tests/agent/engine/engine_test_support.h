// The fixture of the engine tests: an Engine over fakes, with helpers to
// ask, answer and seed the cache.
#ifndef GG_TESTS_AGENT_ENGINE_ENGINE_TEST_SUPPORT_H_
#define GG_TESTS_AGENT_ENGINE_ENGINE_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/engine/engine.h"
#include "tests/agent/engine/signed_verdicts.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_process_probe.h"
#include "tests/fakes/fake_upstream_client.h"
#include "tests/fakes/fake_verdict_store.h"
#include "tests/fakes/manual_scheduler.h"

namespace gg::agent::test {

constexpr long long kT0 = 1763790000;  // FakeClock's start
constexpr const char* kInstance = "00112233445566778899aabbccddeeff";

using FakeProbe = testing::FakeProcessProbe;

// Root or the agent's user: may touch every session.
inline const SessionCaller kPrivileged{0, -1, -1, true};

class HalfRandom final : public RandomSource {
 public:
  double Uniform01() override { return 0.5; }
};

struct PushedEvent {
  ConnectionId connection_id;
  std::string session_id;
  Decision decision;
};

class RecordingSink final : public EventSink {
 public:
  void OnSessionVerdict(ConnectionId connection_id,
                        const std::string& session_id,
                        const Decision& decision) override {
    events.push_back({connection_id, session_id, decision});
  }
  std::vector<PushedEvent> events;
};

// A reply slot an Authorize/Heartbeat callback fills.
using Reply = std::shared_ptr<std::optional<Decision>>;

class EngineTest : public ::testing::Test {
 protected:
  // `finish_start_pass`: lets the worker verify the seeded rows, as a
  // running agent does within moments of READY (asks wait for it).
  void StartEngine(bool finish_start_pass = true) {
    engine_ = std::make_unique<Engine>(
        options_,
        EngineIdentity{[](std::string_view) { return testing::kHwid; },
                       kInstance},
        EngineDeps{clock_, random_, upstream_, store_, scheduler_, scheduler_,
                   probe_, sink_});
    ASSERT_TRUE(engine_->Start());
    if (finish_start_pass) {
      scheduler_.RunUntilIdle();
    }
  }

  Reply Ask(std::string key = "KEY-1",
            ConnectionId conn = 1,
            bool detached = false,
            int pid = 0) {
    auto reply = std::make_shared<std::optional<Decision>>();
    AuthorizeInput in;
    in.product_id = testing::kProduct;
    in.license_key = std::move(key);
    in.connection_id = conn;
    in.detached = detached;
    in.pid = pid;
    engine_->Authorize(std::move(in), [this, reply](Decision d) {
      store_.log.push_back("reply");
      *reply = std::move(d);
    });
    return reply;
  }

  // Answers upstream call i and lets the loop settle.
  void Answer(std::size_t i, upstream::Outcome outcome) {
    upstream_.Complete(i, std::move(outcome));
    scheduler_.RunUntilIdle();
  }

  // A signed verdict over exactly what the engine sent in call i.
  upstream::Verdict VerdictFor(std::size_t i, testing::VerdictSpec spec) {
    const auto req = upstream_.request(i);
    spec.license_key = req.license_key;
    spec.hwid = req.hwid;
    return testing::SignedVerdict(spec);
  }

  // Puts a signed verdict in the store as if received at `received_at`.
  void Seed(const testing::VerdictSpec& spec, long long received_at) {
    const auto v = testing::SignedVerdict(spec);
    store::StoredVerdict row{
        {spec.product_id, spec.license_key}, *v.signed_material, received_at};
    store_.verdicts[testing::FakeVerdictStore::Key(row.key)] = row;
  }

  static upstream::Failure Offline() {
    upstream::Failure f;
    f.code = "NETWORK";
    f.message = "connect failed";
    return f;
  }

  testing::FakeClock clock_;
  testing::ManualScheduler scheduler_{clock_};
  testing::FakeUpstreamClient upstream_;
  testing::FakeVerdictStore store_;
  FakeProbe probe_;
  HalfRandom random_;
  RecordingSink sink_;
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace gg::agent::test

#endif  // GG_TESTS_AGENT_ENGINE_ENGINE_TEST_SUPPORT_H_
