// libFuzzer target for the agent's configuration file (ParseConfig) and
// check-config's printout of it (FormatEffectiveConfig).
//
// Invariants: the printout is JSON and does not depend on the secrets'
// values (they never reach it); parse -> print -> parse succeeds and
// prints the same text again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/config/config.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using gg::fuzz::Check;

gg::config::ConfigEnv FuzzEnv() {
  gg::config::ConfigEnv env;
  env.read_secret_file = [](const std::filesystem::path&) {
    return gg::Result<std::string>(std::string("secret-from-a-file"));
  };
  env.base_dir = "/fuzz/etc";
  env.default_socket_path = "/fuzz/run/agent.sock";
  env.default_state_dir = "/fuzz/state";
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static const gg::config::ConfigEnv env = FuzzEnv();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = gg::config::ParseConfig(text, env);
  if (!config) {
    Check(config.error().code == gg::ErrorCode::kConfig &&
              !config.error().message.empty(),
          "config error without code or message");
    return 0;
  }
  const std::string printed = gg::config::FormatEffectiveConfig(*config);
  Check(nlohmann::json::accept(printed), "check-config output is not JSON");

  gg::config::Config other = *config;
  other.server.api_key = gg::Secret("another-api-key-value");
  other.server.signing_secret = gg::Secret("another-signing-secret");
  Check(gg::config::FormatEffectiveConfig(other) == printed,
        "check-config output depends on a secret's value");

  auto again = gg::config::ParseConfig(printed, env);
  Check(again.has_value(), "check-config output does not parse back");
  Check(gg::config::FormatEffectiveConfig(*again) == printed,
        "parse -> print -> parse is not stable");
  return 0;
}
