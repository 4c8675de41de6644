// The logging rules: one line per event, JSON when asked, secrets masked.
#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "platform/log.h"
#include "platform/secret.h"

namespace gg::log {
namespace {

// A gg::Secret formats as the mask, in spdlog and in streams.
TEST(Logging, SecretTypeNeverPrintsItsValue) {
  std::ostringstream out;
  Init(spdlog::level::info, Format::kText, &out);
  Secret key("gg_live_supersecret_value");
  spdlog::info("using key {}", key);
  std::ostringstream direct;
  direct << key;
  EXPECT_EQ(out.str().find("supersecret"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(Secret::kMask), std::string::npos);
  EXPECT_EQ(direct.str(), Secret::kMask);
  EXPECT_EQ(fmt::format("{}", key), Secret::kMask);
}

// A registered secret copied into a plain string is still masked, in text
// and in JSON lines, however often it occurs.
TEST(Logging, RegisteredSecretsAreRedactedInEveryFormat) {
  RegisterSecret("hmac-signing-secret-42");
  for (Format f : {Format::kText, Format::kJson}) {
    std::ostringstream out;
    Init(spdlog::level::debug, f, &out);
    std::string leaked = "hmac-signing-secret-42";
    spdlog::warn("a={} b={}", leaked, leaked + "x");
    EXPECT_EQ(out.str().find("hmac-signing-secret-42"), std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("********"), std::string::npos);
  }
}

// JSON lines are valid JSON objects with ts, level and msg, one per line.
TEST(Logging, JsonLinesParse) {
  std::ostringstream out;
  Init(spdlog::level::info, Format::kJson, &out);
  spdlog::info("first \"quoted\"\nsecond");
  spdlog::error("third");
  std::istringstream lines(out.str());
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("ts"));
    EXPECT_TRUE(j.contains("level"));
    EXPECT_TRUE(j.contains("msg"));
    ++n;
  }
  EXPECT_EQ(n, 2);
}

// Text lines never split an event over two lines; levels below the
// threshold are dropped.
TEST(Logging, TextIsOneLinePerEventAndHonoursLevel) {
  std::ostringstream out;
  Init(spdlog::level::warn, Format::kText, &out);
  spdlog::info("hidden");
  spdlog::warn("multi\nline");
  const std::string text = out.str();
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_NE(text.find("warning multi line"), std::string::npos);
}

// Level and format names parse; others are errors.
TEST(Logging, ParseNames) {
  EXPECT_EQ(*ParseLevel("debug"), spdlog::level::debug);
  EXPECT_FALSE(ParseLevel("verbose"));
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_FALSE(ParseFormat("xml"));
}

// MaskValue keeps at most four characters.
TEST(Logging, MaskValue) {
  EXPECT_EQ(MaskValue("abc"), "****");
  EXPECT_EQ(MaskValue("gg_dev_key"), "gg_d…(10)");
}

}  // namespace
}  // namespace gg::log
