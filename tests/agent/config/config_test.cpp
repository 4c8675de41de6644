// The config parser: defaults, every field validated with a message naming
// it, unknown keys refused, the effective config printed with secrets masked.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/config/config.h"
#include "platform/crypto.h"

namespace gg::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kKeyA = crypto::Base64Encode(std::string(32, 'a'));
const std::string kKeyB = crypto::Base64Encode(std::string(32, 'b'));

Json Minimal() {
  return {{"server",
           {{"apiKey", "gg_live_apikey_123"},
            {"signingSecret", "signing-secret-xyz"},
            {"responsePublicKeys", {kKeyA}}}}};
}

ConfigEnv TestEnv() {
  ConfigEnv env;
  env.read_secret_file =
      [](const std::filesystem::path& p) -> Result<std::string> {
    return MakeError(ErrorCode::kIo,
                     "no secret files in this test: " + p.string());
  };
  env.default_socket_path = "/run/test/agent.sock";
  env.default_state_dir = "/var/lib/test";
  return env;
}

// A minimal config gets every default of agent.md §2.
TEST(ConfigTest, DefaultsFilledIn) {
  auto c = ParseConfig(Minimal().dump(), TestEnv());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.base_url, "https://api.geckoguard.com");
  EXPECT_EQ(c->server.api_key.Reveal(), "gg_live_apikey_123");
  EXPECT_EQ(c->server.signing_secret.Reveal(), "signing-secret-xyz");
  ASSERT_EQ(c->server.response_public_keys.size(), 1u);
  EXPECT_EQ(c->server.response_public_keys[0], std::string(32, 'a'));
  EXPECT_FALSE(c->server.ca_file);
  EXPECT_FALSE(c->server.pinned_public_keys);
  EXPECT_FALSE(c->server.proxy);
  EXPECT_EQ(c->server.connect_timeout_ms, 3000);
  EXPECT_EQ(c->server.request_timeout_ms, 10000);
  EXPECT_EQ(c->server.max_retry_after_seconds, 300);
  EXPECT_EQ(c->ipc.path, "/run/test/agent.sock");
  EXPECT_EQ(c->ipc.mode, 0660u);
  EXPECT_FALSE(c->ipc.group);
  EXPECT_FALSE(c->ipc.allowed_uids);
  EXPECT_FALSE(c->ipc.allowed_groups);
  EXPECT_EQ(c->ipc.max_connections, 1024);
  EXPECT_EQ(c->ipc.max_in_flight_per_connection, 32);
  EXPECT_EQ(c->ipc.idle_timeout_seconds, 30);
  EXPECT_EQ(c->state.dir, "/var/lib/test");
  EXPECT_EQ(c->policy.cache_ttl_seconds, 300);
  EXPECT_EQ(c->policy.deny_cache_seconds, 60);
  EXPECT_EQ(c->policy.offline_grace_seconds, 259200);
  EXPECT_FALSE(c->policy.max_concurrent_sessions);
  EXPECT_EQ(c->policy.session_heartbeat_timeout_seconds, 90);
  EXPECT_EQ(c->policy.clock_rollback_tolerance_seconds, 300);
  EXPECT_EQ(c->policy.request_deadline_ms, 5000);
  EXPECT_EQ(c->hwid.root, "/");
  EXPECT_DOUBLE_EQ(c->hwid.match_threshold, 0.6);
  EXPECT_EQ(c->log.level, spdlog::level::info);
  EXPECT_EQ(c->log.format, log::Format::kText);
}

// Every field set explicitly is read, and relative paths resolve against
// the config file's directory.
TEST(ConfigTest, EveryFieldRead) {
  Json j = Minimal();
  j["server"]["baseUrl"] = "http://127.0.0.1:8080/gw/";
  j["server"]["responsePublicKeys"] = {kKeyA, kKeyB};
  j["server"]["caFile"] = "ca.pem";
  j["server"]["pinnedPublicKeys"] = {"sha256//" + kKeyB};
  j["server"]["proxy"] = "socks5h://proxy:1080";
  j["server"]["connectTimeoutMs"] = 100;
  j["server"]["requestTimeoutMs"] = 200;
  j["ipc"] = {{"path", "/tmp/a.sock"},
              {"mode", "0600"},
              {"group", "gg"},
              {"allowedUids", {0, 1000}},
              {"allowedGroups", {"staff"}},
              {"maxConnections", 10},
              {"maxInFlightPerConnection", 2},
              {"idleTimeoutSeconds", 5}};
  j["state"] = {{"dir", "state"}};
  j["policy"] = {{"cacheTtlSeconds", 1},
                 {"denyCacheSeconds", 2},
                 {"offlineGraceSeconds", 3},
                 {"maxConcurrentSessions", 4},
                 {"sessionHeartbeatTimeoutSeconds", 5},
                 {"clockRollbackToleranceSeconds", 0},
                 {"requestDeadlineMs", 7}};
  j["hwid"] = {{"root", "/fixtures/bare"}, {"matchThreshold", 1}};
  j["log"] = {{"level", "debug"}, {"format", "json"}};
  ConfigEnv env = TestEnv();
  env.base_dir = "/etc/gg";
  auto c = ParseConfig(j.dump(), env);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.base_url, "http://127.0.0.1:8080/gw");
  EXPECT_EQ(c->server.response_public_keys.size(), 2u);
  EXPECT_EQ(*c->server.ca_file, "/etc/gg/ca.pem");
  EXPECT_EQ(c->server.pinned_public_keys->at(0), "sha256//" + kKeyB);
  EXPECT_EQ(*c->server.proxy, "socks5h://proxy:1080");
  EXPECT_EQ(c->server.connect_timeout_ms, 100);
  EXPECT_EQ(c->server.request_timeout_ms, 200);
  EXPECT_EQ(c->ipc.path, "/tmp/a.sock");
  EXPECT_EQ(c->ipc.mode, 0600u);
  EXPECT_EQ(*c->ipc.group, "gg");
  EXPECT_EQ(*c->ipc.allowed_uids, (std::vector<std::uint32_t>{0, 1000}));
  EXPECT_EQ(*c->ipc.allowed_groups, std::vector<std::string>{"staff"});
  EXPECT_EQ(c->ipc.max_connections, 10);
  EXPECT_EQ(c->ipc.max_in_flight_per_connection, 2);
  EXPECT_EQ(c->ipc.idle_timeout_seconds, 5);
  EXPECT_EQ(c->state.dir, "/etc/gg/state");
  EXPECT_EQ(c->policy.cache_ttl_seconds, 1);
  EXPECT_EQ(c->policy.deny_cache_seconds, 2);
  EXPECT_EQ(c->policy.offline_grace_seconds, 3);
  EXPECT_EQ(*c->policy.max_concurrent_sessions, 4);
  EXPECT_EQ(c->policy.session_heartbeat_timeout_seconds, 5);
  EXPECT_EQ(c->policy.clock_rollback_tolerance_seconds, 0);
  EXPECT_EQ(c->policy.request_deadline_ms, 7);
  EXPECT_EQ(c->hwid.root, "/fixtures/bare");
  EXPECT_DOUBLE_EQ(c->hwid.match_threshold, 1.0);
  EXPECT_EQ(c->log.level, spdlog::level::debug);
  EXPECT_EQ(c->log.format, log::Format::kJson);
}

struct BadCase {
  const char* what;
  const char* pointer;  // JSON pointer to set; "-" + pointer removes it
  Json value;
  const char* expected;  // the start of the error line
};

// Plain http:// is accepted for every loopback spelling.
TEST(ConfigTest, PlainHttpAcceptedForLoopbackHosts) {
  for (const char* url :
       {"http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:1",
        "http://LocalHost/gw", "http://[::1]:8787"}) {
    Json j = Minimal();
    j["server"]["baseUrl"] = url;
    auto c = ParseConfig(j.dump(), TestEnv());
    EXPECT_TRUE(c) << url << ": " << (c ? "" : c.error().message);
  }
}

// Each bad config is refused with code CONFIG and a line naming its field.
TEST(ConfigTest, BadConfigsNameTheirField) {
  const std::string long_path = "/tmp/" + std::string(120, 'x');
  const std::vector<BadCase> cases = {
      {"ftp url", "/server/baseUrl", "ftp://x",
       "server.baseUrl: not an http(s) URL"},
      {"no host", "/server/baseUrl", "https://",
       "server.baseUrl: not an http(s) URL"},
      {"url query", "/server/baseUrl", "https://h/?q",
       "server.baseUrl: not an http(s) URL"},
      {"url type", "/server/baseUrl", 5, "server.baseUrl: must be a string"},
      {"both keys", "/server/apiKeyFile", "k",
       "server.apiKey: exactly one of apiKey and apiKeyFile must be set"},
      {"no key", "-/server/apiKey", nullptr,
       "server.apiKey: exactly one of apiKey and apiKeyFile must be set"},
      {"no secret", "-/server/signingSecret", nullptr,
       "server.signingSecret: exactly one of signingSecret and "
       "signingSecretFile"},
      {"empty key", "/server/apiKey", "", "server.apiKey: must not be empty"},
      {"no pubkeys", "-/server/responsePublicKeys", nullptr,
       "server.responsePublicKeys: required"},
      {"empty pubkeys", "/server/responsePublicKeys", Json::array(),
       "server.responsePublicKeys: must not be empty"},
      {"short pubkey", "/server/responsePublicKeys/0",
       crypto::Base64Encode("short"),
       "server.responsePublicKeys[0]: not base64 of a 32-byte"},
      {"bad b64", "/server/responsePublicKeys/0", "!!!",
       "server.responsePublicKeys[0]: not base64"},
      {"pin form",
       "/server/pinnedPublicKeys",
       {kKeyA},
       "server.pinnedPublicKeys[0]: not sha256//"},
      {"proxy", "/server/proxy", "proxy:3128", "server.proxy: not a proxy URL"},
      {"url creds", "/server/baseUrl", "https://u:p@api.example",
       "server.baseUrl: must not contain credentials"},
      {"url no host", "/server/baseUrl", "https://u@/v1",
       "server.baseUrl: not an http(s) URL"},
      {"http remote", "/server/baseUrl", "http://api.example.com",
       "server.baseUrl: plain http:// is allowed only for a loopback host"},
      {"http lookalike", "/server/baseUrl", "http://127.0.0.1.evil.example",
       "server.baseUrl: plain http:// is allowed only for a loopback host"},
      {"http ipv6", "/server/baseUrl", "http://[2001:db8::1]:80",
       "server.baseUrl: plain http:// is allowed only for a loopback host"},
      {"timeout 0", "/server/connectTimeoutMs", 0,
       "server.connectTimeoutMs: must be between 1 and"},
      {"timeout huge", "/server/requestTimeoutMs", 100000000,
       "server.requestTimeoutMs: must be between"},
      {"timeout float", "/server/requestTimeoutMs", 1.5,
       "server.requestTimeoutMs: must be an integer"},
      {"timeout string", "/server/requestTimeoutMs", "100",
       "server.requestTimeoutMs: must be an integer"},
      {"retry-after cap 0", "/server/maxRetryAfterSeconds", 0,
       "server.maxRetryAfterSeconds: must be between 1 and 86400"},
      {"server unknown", "/server/apikey", "x", "server.apikey: unknown key"},
      {"top unknown", "/polcy", Json::object(), "polcy: unknown key"},
      {"section type", "/ipc", 3, "ipc: must be an object"},
      {"mode digits", "/ipc/mode", "0980", "ipc.mode: not an octal mode"},
      {"mode number", "/ipc/mode", 660, "ipc.mode: must be a string"},
      {"mode suid", "/ipc/mode", "4777", "ipc.mode: not an octal mode"},
      {"socket long", "/ipc/path", long_path,
       "ipc.path: longer than 107 bytes"},
      {"socket empty", "/ipc/path", "", "ipc.path: must not be empty"},
      {"uid negative",
       "/ipc/allowedUids",
       {-1},
       "ipc.allowedUids[0]: must be an integer"},
      {"groups type", "/ipc/allowedGroups", "staff",
       "ipc.allowedGroups: must be an array"},
      {"max conns", "/ipc/maxConnections", 0,
       "ipc.maxConnections: must be between"},
      {"ipc unknown", "/ipc/socket", "x", "ipc.socket: unknown key"},
      {"state unknown", "/state/directory", "x",
       "state.directory: unknown key"},
      {"ttl 0", "/policy/cacheTtlSeconds", 0,
       "policy.cacheTtlSeconds: must be between"},
      {"grace neg", "/policy/offlineGraceSeconds", -5,
       "policy.offlineGraceSeconds: must be between"},
      {"sessions 0", "/policy/maxConcurrentSessions", 0,
       "policy.maxConcurrentSessions: must be between"},
      {"tolerance neg", "/policy/clockRollbackToleranceSeconds", -1,
       "policy.clockRollbackToleranceSeconds: must be between"},
      {"deadline 0", "/policy/requestDeadlineMs", 0,
       "policy.requestDeadlineMs: must be between"},
      {"threshold 0", "/hwid/matchThreshold", 0,
       "hwid.matchThreshold: must be greater than 0"},
      {"threshold big", "/hwid/matchThreshold", 1.01,
       "hwid.matchThreshold: must be greater than 0"},
      {"hwid unknown", "/hwid/treshold", 1, "hwid.treshold: unknown key"},
      {"level", "/log/level", "verbose", "log.level: not one of"},
      {"format", "/log/format", "xml", "log.format: not one of"},
      {"log unknown", "/log/file", "x", "log.file: unknown key"},
  };
  for (const auto& bad : cases) {
    Json j = Minimal();
    std::string ptr = bad.pointer;
    if (ptr[0] == '-') {
      Json::json_pointer p(ptr.substr(1));
      j[p.parent_pointer()].erase(p.back());
    } else {
      j[Json::json_pointer(ptr)] = bad.value;
    }
    auto c = ParseConfig(j.dump(), TestEnv());
    ASSERT_FALSE(c) << bad.what;
    EXPECT_EQ(c.error().code, ErrorCode::kConfig) << bad.what;
    EXPECT_THAT("\n" + c.error().message,
                HasSubstr("\n" + std::string(bad.expected)))
        << bad.what;
  }
}

// A proxy password is masked in the effective config.
TEST(ConfigTest, ProxyCredentialsMasked) {
  Json j = Minimal();
  j["server"]["proxy"] = "http://alice:hunter2pw@proxy.corp:3128";
  auto c = ParseConfig(j.dump(), TestEnv());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(*c->server.proxy, "http://alice:hunter2pw@proxy.corp:3128");
  Json out = Json::parse(FormatEffectiveConfig(*c));
  EXPECT_EQ(out["server"]["proxy"],
            std::string("http://") + Secret::kMask + "@proxy.corp:3128");
}

// Text that is not one JSON object is refused without echoing its content
// (which may hold a secret); duplicate keys are refused too.
TEST(ConfigTest, MalformedJson) {
  auto c =
      ParseConfig("{\"server\": {\"apiKey\": \"topsecret\" \n,,}", TestEnv());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_THAT(c.error().message, HasSubstr("not valid JSON (line 2"));
  EXPECT_THAT(c.error().message, Not(HasSubstr("topsecret")));
  EXPECT_FALSE(ParseConfig("[]", TestEnv()));
  auto dup = ParseConfig(R"({"server":{"apiKey":"a1234","apiKey":"b1234"}})",
                         TestEnv());
  ASSERT_FALSE(dup);
  EXPECT_THAT(dup.error().message,
              HasSubstr("apiKey: key appears more than once"));
  auto missing = ParseConfig("{}", TestEnv());
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("server: required"));
}

// Several problems are all reported, one per line.
TEST(ConfigTest, AllProblemsReported) {
  Json j = Minimal();
  j["ipc"]["mode"] = "abc";
  j["log"]["level"] = "loud";
  auto c = ParseConfig(j.dump(), TestEnv());
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("ipc.mode: not an octal mode"));
  EXPECT_THAT(c.error().message, HasSubstr("\nlog.level: "));
}

// The effective config shows defaults and keys but never a secret.
TEST(ConfigTest, FormattedConfigMasksSecrets) {
  auto c = ParseConfig(Minimal().dump(), TestEnv());
  ASSERT_TRUE(c);
  std::string out = FormatEffectiveConfig(*c);
  EXPECT_THAT(out, Not(HasSubstr("gg_live_apikey_123")));
  EXPECT_THAT(out, Not(HasSubstr("signing-secret-xyz")));
  Json j = Json::parse(out);
  EXPECT_EQ(j["server"]["apiKey"], Secret::kMask);
  EXPECT_EQ(j["server"]["signingSecret"], Secret::kMask);
  EXPECT_EQ(j["server"]["responsePublicKeys"][0], kKeyA);
  EXPECT_EQ(j["ipc"]["mode"], "0660");
  EXPECT_EQ(j["policy"]["maxConcurrentSessions"], nullptr);
  EXPECT_EQ(j["log"]["level"], "info");
  // The printed config is itself a valid config equal to the original
  // once the masked secrets are put back.
  j["server"]["apiKey"] = "gg_live_apikey_123";
  j["server"]["signingSecret"] = "signing-secret-xyz";
  auto again = ParseConfig(j.dump(), TestEnv());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(FormatEffectiveConfig(*again), out);
}

}  // namespace
}  // namespace gg::config

namespace gg::config {
namespace {

// metrics.textfile: null by default, resolved against the config's
// directory, must end in .prom; intervalSeconds bounded; printed back.
TEST(ConfigTest, MetricsTextfile) {
  auto none = ParseConfig(Minimal().dump(), TestEnv());
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->metrics.textfile);
  EXPECT_EQ(none->metrics.interval_seconds, 15);

  Json j = Minimal();
  j["metrics"] = {{"textfile", "nx/gg-agent.prom"}, {"intervalSeconds", 30}};
  ConfigEnv env = TestEnv();
  env.base_dir = "/etc/gg-agent";
  auto c = ParseConfig(j.dump(), env);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(*c->metrics.textfile, "/etc/gg-agent/nx/gg-agent.prom");
  EXPECT_EQ(c->metrics.interval_seconds, 30);
  auto printed = Json::parse(FormatEffectiveConfig(*c));
  // In the OS's own form (a backslash before nx on Windows).
  EXPECT_EQ(
      printed["metrics"]["textfile"],
      (std::filesystem::path("/etc/gg-agent") / "nx/gg-agent.prom").string());

  j["metrics"] = {{"textfile", "/var/lib/x/gg-agent.txt"},
                  {"intervalSeconds", 0}};
  auto bad = ParseConfig(j.dump(), TestEnv());
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("metrics.textfile: must end in"));
  EXPECT_THAT(bad.error().message, HasSubstr("metrics.intervalSeconds"));
}

}  // namespace
}  // namespace gg::config
