// Secrets read from real files: owner-only files accepted, loose modes
// refused naming the field; LoadConfigFile registers secrets for redaction.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/config/config.h"
#include "platform/crypto.h"
#include "platform/log.h"
#include "platform/private_file.h"
#include "platform/random.h"

namespace gg::config {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gg-cfg-" + *RandomHex(6));
    ASSERT_TRUE(EnsurePrivateDirectory(dir_));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name,
                              const std::string& text,
                              mode_t mode) {
    auto p = dir_ / name;
    { std::ofstream(p) << text; }
    EXPECT_EQ(::chmod(p.c_str(), mode), 0);
    return p;
  }

  static Json WithFiles() {
    return {{"server",
             {{"apiKeyFile", "api-key"},
              {"signingSecretFile", "signing-secret"},
              {"responsePublicKeys",
               {crypto::Base64Encode(std::string(32, 'k'))}}}}};
  }

  std::filesystem::path dir_;
};

// Owner-only (0600) secret files are read, relative to the config file,
// with the trailing newline removed.
TEST_F(ConfigFileTest, PrivateSecretFilesAccepted) {
  Write("api-key", "gg_file_key_0600\n", 0600);
  Write("signing-secret", "file-signing-secret\n", 0600);
  auto cfg = Write("config.json", WithFiles().dump(), 0600);
  auto c = LoadConfigFile(cfg);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.api_key.Reveal(), "gg_file_key_0600");
  EXPECT_EQ(c->server.signing_secret.Reveal(), "file-signing-secret");
  EXPECT_EQ(*c->server.api_key_file, dir_ / "api-key");
  std::string out = FormatEffectiveConfig(*c);
  EXPECT_THAT(out, ::testing::Not(HasSubstr("gg_file_key_0600")));
  EXPECT_THAT(out, HasSubstr((dir_ / "api-key").string()));
}

// A secret file readable by group or others (0644, 0640) is refused with
// the field named.
TEST_F(ConfigFileTest, LooseSecretFileRefused) {
  for (mode_t mode : {0644, 0640, 0604}) {
    Write("api-key", "gg_loose_key\n", mode);
    Write("signing-secret", "file-signing-secret\n", 0600);
    auto cfg = Write("config.json", WithFiles().dump(), 0600);
    auto c = LoadConfigFile(cfg);
    ASSERT_FALSE(c) << mode;
    EXPECT_EQ(c.error().code, ErrorCode::kConfig);
    EXPECT_THAT(c.error().message,
                HasSubstr("server.apiKeyFile: " + (dir_ / "api-key").string() +
                          " is readable by group or others"));
  }
}

// A missing or empty secret file is an error naming the field.
TEST_F(ConfigFileTest, MissingOrEmptySecretFile) {
  Write("api-key", "\n", 0600);
  auto cfg = Write("config.json", WithFiles().dump(), 0600);
  auto c = LoadConfigFile(cfg);
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("server.apiKeyFile: "));
  EXPECT_THAT(c.error().message, HasSubstr("server.signingSecretFile: "));
}

// A config file that does not exist is a CONFIG error naming the file.
TEST_F(ConfigFileTest, MissingConfigFile) {
  auto c = LoadConfigFile(dir_ / "nope.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_THAT(c.error().message, HasSubstr("nope.json"));
}

// Loading registers both secrets, so a log line holding one is masked.
TEST_F(ConfigFileTest, LoadRegistersSecretsForRedaction) {
  Json j = WithFiles();
  j["server"].erase("apiKeyFile");
  j["server"]["apiKey"] = "gg_inline_key_for_redaction";
  j["server"]["proxy"] = "http://bob:proxy-pass-redact@proxy:3128";
  Write("signing-secret", "signing-secret-for-redaction\n", 0600);
  auto cfg = Write("config.json", j.dump(), 0600);
  auto c = LoadConfigFile(cfg);
  ASSERT_TRUE(c) << c.error().message;
  std::string line = log::Redact(
      "key gg_inline_key_for_redaction secret signing-secret-for-redaction "
      "proxy bob:proxy-pass-redact");
  EXPECT_THAT(line, ::testing::Not(HasSubstr("gg_inline_key_for_redaction")));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("signing-secret-for-redaction")));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("proxy-pass-redact")));
}

}  // namespace
}  // namespace gg::config
