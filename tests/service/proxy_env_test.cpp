// Which proxy libcurl uses, as the doctor says it: NO_PROXY first (also
// over server.proxy), then server.proxy, then <scheme>_proxy (never
// HTTP_PROXY), then ALL_PROXY; credentials found for redaction.
#include "service/proxy_env.h"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "platform/log.h"
#include "service/doctor.h"

namespace gg::service {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end())
      return std::nullopt;
    return it->second;
  };
}

// The order libcurl applies.
TEST(ProxyEnv, ChoiceOrder) {
  auto none = ChooseProxy("https", "api.example.com", std::nullopt, Env({}));
  EXPECT_FALSE(none.url);
  EXPECT_TRUE(none.source.empty());

  auto configured =
      ChooseProxy("https", "api.example.com", std::string("http://cfg:3128"),
                  Env({{"HTTPS_PROXY", "http://env:3128"}}));
  EXPECT_EQ(configured.url, "http://cfg:3128");
  EXPECT_EQ(configured.source, "server.proxy");

  auto lower = ChooseProxy(
      "https", "api.example.com", std::nullopt,
      Env({{"https_proxy", "http://l:1"}, {"HTTPS_PROXY", "http://u:1"}}));
  EXPECT_EQ(lower.source, "https_proxy");
  auto upper = ChooseProxy("https", "api.example.com", std::nullopt,
                           Env({{"HTTPS_PROXY", "http://u:1"}}));
  EXPECT_EQ(upper.source, "HTTPS_PROXY");
  // libcurl never reads HTTP_PROXY.
  auto http = ChooseProxy("http", "api.example.com", std::nullopt,
                          Env({{"HTTP_PROXY", "http://u:1"}}));
  EXPECT_FALSE(http.url);
  auto all = ChooseProxy("http", "api.example.com", std::nullopt,
                         Env({{"ALL_PROXY", "socks5://a:1"}}));
  EXPECT_EQ(all.source, "ALL_PROXY");

  auto bypass =
      ChooseProxy("https", "api.example.com", std::string("http://cfg:3128"),
                  Env({{"NO_PROXY", "example.com"}}));
  EXPECT_FALSE(bypass.url);
  EXPECT_EQ(bypass.source, "NO_PROXY");
  EXPECT_EQ(bypass.no_proxy, "example.com");
}

// NO_PROXY: "*", names and their subdomains, a leading dot, IPv4 and CIDR.
TEST(ProxyEnv, NoProxyMatching) {
  EXPECT_TRUE(NoProxyMatches("anything", "*"));
  EXPECT_TRUE(NoProxyMatches("api.example.com", "localhost, example.com"));
  EXPECT_TRUE(NoProxyMatches("API.Example.COM", ".example.com"));
  EXPECT_TRUE(NoProxyMatches("example.com", ".example.com"));
  EXPECT_FALSE(NoProxyMatches("badexample.com", "example.com"));
  EXPECT_FALSE(NoProxyMatches("api.example.com", "api.example.co"));
  EXPECT_TRUE(NoProxyMatches("127.0.0.1", "10.0.0.0/8,127.0.0.1"));
  EXPECT_TRUE(NoProxyMatches("10.20.30.40", "10.0.0.0/8"));
  EXPECT_FALSE(NoProxyMatches("11.0.0.1", "10.0.0.0/8"));
  EXPECT_FALSE(NoProxyMatches("api.example.com", ""));
  EXPECT_FALSE(NoProxyMatches("api.example.com", " , "));
}

// Hosts out of URLs, with and without credentials, ports, IPv6.
TEST(ProxyEnv, UrlHost) {
  EXPECT_EQ(UrlHost("https://api.geckoguard.com/gw"), "api.geckoguard.com");
  EXPECT_EQ(UrlHost("http://u:p@127.0.0.1:3128"), "127.0.0.1");
  EXPECT_EQ(UrlHost("http://[::1]:8080/"), "::1");
  EXPECT_EQ(UrlHost("proxy.local:3128"), "proxy.local");
}

// Credentials in proxy variables are found, whole and as the password.
TEST(ProxyEnv, CredentialsFromEnv) {
  auto creds = ProxyCredentialsFromEnv(
      Env({{"HTTPS_PROXY", "http://alice:s3cr3t-pw@proxy:3128/"},
           {"http_proxy", "http://proxy:3128"}}));
  ASSERT_EQ(creds.size(), 2u);
  EXPECT_EQ(creds[0], "alice:s3cr3t-pw");
  EXPECT_EQ(creds[1], "s3cr3t-pw");
}

// The doctor's report: one line per check with the fix, redacted; JSON
// for tools; a FAIL anywhere fails the run, warnings do not.
TEST(DoctorFormat, LinesJsonAndVerdict) {
  std::vector<Check> checks = {
      {"config", CheckLevel::kOk, "/etc/gg-agent/config.json is valid", ""},
      {"clock", CheckLevel::kWarn, "90 s off\nsecond line", "check NTP"},
      {"proxy", CheckLevel::kOk, "http://u:hunter2-proxy-pw@p:1", ""}};
  log::RegisterSecret("hunter2-proxy-pw");
  EXPECT_FALSE(AnyFailed(checks));
  const std::string text = FormatChecks(checks);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  EXPECT_NE(
      text.find("ok    config         /etc/gg-agent/config.json is valid\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("warn  clock          90 s off second line; fix: check "
                      "NTP\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("hunter2-proxy-pw"), std::string::npos) << text;
  checks.push_back({"tls", CheckLevel::kFail, "handshake failed", "caFile"});
  EXPECT_TRUE(AnyFailed(checks));
  auto doc = nlohmann::json::parse(FormatChecksJson(checks));
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["checks"][3]["status"], "fail");
  EXPECT_EQ(doc["checks"][0]["fix"], nullptr);
  EXPECT_EQ(doc["checks"][1]["fix"], "check NTP");
  EXPECT_EQ(doc["checks"][2]["message"].get<std::string>().find("hunter2"),
            std::string::npos);
}

}  // namespace
}  // namespace gg::service
