// Test support: custom dev-server fixture files built from the demo
// fixtures, and the names the end-to-end tests share.
#ifndef GG_TESTS_INTEGRATION_E2E_FIXTURES_H_
#define GG_TESTS_INTEGRATION_E2E_FIXTURES_H_

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/result.h"

namespace gg::e2e {

inline constexpr char kProduct[] = "7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10";
inline constexpr char kOtherProduct[] = "2c0f6a51-9d3e-4b7a-8e21-5a4c3b2d1e0f";

struct FixtureChanges {
  // Added to the demo product's hwid blacklist.
  std::vector<std::string> blacklisted_hwids;
  // Extra licenses for the demo product, copies of DEMO-ALLOW-0001 with
  // these keys and `max_sessions` sessions.
  std::vector<std::string> extra_allow_keys;
  int max_sessions = 3;
};

// Writes demo-fixtures.json with `changes` applied to `path`.
[[nodiscard]] Status WriteFixtures(const std::filesystem::path& path,
                                   const FixtureChanges& changes);

// libfaketime's preload library, or "" with the reason in *why_not (not
// installed, or this is a sanitizer build, which it hangs).
std::string FakeTimeLibrary(std::string* why_not);

// True in a tree built with ASan or TSan (its gg-agent is too).
bool SanitizedBuild();

// The upstream authorize requests in a dev server request log for a key.
int CountAuthorizeRequests(const nlohmann::json& requests,
                           const std::string& license_key);

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_E2E_FIXTURES_H_
