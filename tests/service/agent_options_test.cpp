// The configuration mapped onto the parts' own options, and what a reload
// can apply at once.
#include "service/agent_options.h"

#include <gtest/gtest.h>

namespace gg::service {
namespace {

config::Config BaseConfig() {
  config::Config c;
  c.server.base_url = "https://api.example.test";
  c.server.api_key = Secret("gg_live_key");
  c.server.signing_secret = Secret("signing-secret");
  c.server.response_public_keys = {std::string(32, 'k')};
  c.ipc.path = "/run/gg-agent/agent.sock";
  c.state.dir = "/var/lib/gg-agent";
  return c;
}

// Every policy value reaches the engine's options.
TEST(AgentOptions, PolicyMapsOntoEngine) {
  auto c = BaseConfig();
  c.policy.cache_ttl_seconds = 11;
  c.policy.deny_cache_seconds = 12;
  c.policy.offline_grace_seconds = 13;
  c.policy.max_concurrent_sessions = 4;
  c.policy.session_heartbeat_timeout_seconds = 15;
  c.policy.clock_rollback_tolerance_seconds = 16;
  c.policy.request_deadline_ms = 1700;
  auto o = EngineOptionsFrom(c);
  EXPECT_EQ(o.policy.cache_ttl_seconds, 11);
  EXPECT_EQ(o.policy.deny_cache_seconds, 12);
  EXPECT_EQ(o.policy.offline_grace_seconds, 13);
  EXPECT_EQ(o.policy.max_concurrent_sessions, 4);
  EXPECT_EQ(o.session_heartbeat_timeout, std::chrono::seconds(15));
  EXPECT_EQ(o.clock_rollback_tolerance_seconds, 16);
  EXPECT_EQ(o.request_deadline, std::chrono::milliseconds(1700));
}

// Pins are joined in libcurl's form; timeouts and secrets carried over.
TEST(AgentOptions, ServerMapsOntoUpstream) {
  auto c = BaseConfig();
  c.server.pinned_public_keys =
      std::vector<std::string>{"sha256//AAAA", "sha256//BBBB"};
  c.server.connect_timeout_ms = 1234;
  auto o = UpstreamOptionsFrom(c);
  EXPECT_EQ(o.pinned_public_keys, "sha256//AAAA;sha256//BBBB");
  EXPECT_EQ(o.connect_timeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(o.api_key.Reveal(), "gg_live_key");
  EXPECT_EQ(o.base_url, "https://api.example.test");
}

// A socket that lets others in sits in a directory they can enter; a
// private socket in a private directory. Limits come from the config.
TEST(AgentOptions, SocketDirectoryModeFollowsSocketMode) {
  auto c = BaseConfig();
  c.ipc.mode = 0660;
  c.ipc.max_connections = 7;
  EXPECT_EQ(ServerOptionsFrom(c, {}, {}).directory_mode, 0755u);
  EXPECT_EQ(ServerOptionsFrom(c, {}, {}).limits.max_connections, 7u);
  c.ipc.mode = 0600;
  EXPECT_EQ(ServerOptionsFrom(c, {3}, {}).directory_mode, 0700u);
  EXPECT_EQ(ServerOptionsFrom(c, {3}, {}).activated_fds, std::vector<int>{3});
}

// maxConnections is held below the real descriptor limit, which status
// shows; a limit with room to spare changes nothing.
TEST(AgentOptions, ConnectionsFitTheDescriptorLimit) {
  ipc::Limits limits;
  limits.max_connections = 1024;
  EXPECT_TRUE(FitConnectionsToFdLimit(limits, 128));
  EXPECT_EQ(limits.max_connections, 64u);
  EXPECT_EQ(limits.fd_limit, 128u);
  limits.max_connections = 1024;
  EXPECT_FALSE(FitConnectionsToFdLimit(limits, 65536));
  EXPECT_EQ(limits.max_connections, 1024u);
  EXPECT_EQ(limits.fd_limit, 65536u);
  EXPECT_TRUE(FitConnectionsToFdLimit(limits, 20));
  EXPECT_EQ(limits.max_connections, 10u);
  ipc::Limits unknown;
  EXPECT_FALSE(FitConnectionsToFdLimit(unknown, std::nullopt));
  EXPECT_EQ(unknown.max_connections, 1024u);
}

// Policy and log changes apply on reload; server, ipc, state and hwid
// changes are named as needing a restart.
TEST(AgentOptions, SettingsNeedingRestart) {
  auto a = BaseConfig();
  auto b = a;
  b.policy.cache_ttl_seconds = 1;
  b.log.level = spdlog::level::debug;
  EXPECT_TRUE(SettingsNeedingRestart(a, b).empty());
  b.server.api_key = Secret("other");
  b.ipc.mode = 0600;
  b.hwid.match_threshold = 0.9;
  EXPECT_EQ(SettingsNeedingRestart(a, b),
            (std::vector<std::string>{"server", "ipc", "hwid"}));
  b = a;
  b.state.dir = "/elsewhere";
  EXPECT_EQ(SettingsNeedingRestart(a, b), std::vector<std::string>{"state"});
}

}  // namespace
}  // namespace gg::service
