#include "tests/integration/e2e_fixtures.h"

#include <cstdio>
#include <fstream>

#include "tests/devserver/harness.h"

// Whether this tree (and so its gg-agent) is built with a sanitizer.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GG_E2E_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GG_E2E_SANITIZED 1
#endif
#endif

namespace gg::e2e {
namespace {

// A UUID-shaped license id per index, distinct from the demo ones.
std::string LicenseId(size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "e2e00000-0000-4000-8000-%012zx", i);
  return buf;
}

}  // namespace

Status WriteFixtures(const std::filesystem::path& path,
                     const FixtureChanges& changes) {
  std::ifstream in(devserver::DemoFixturesPath());
  auto fixtures = nlohmann::json::parse(in, nullptr, false);
  if (fixtures.is_discarded())
    return MakeError(ErrorCode::kHarness, "demo fixtures are not JSON");
  for (auto& product : fixtures["products"]) {
    if (product["id"] != kProduct)
      continue;
    for (const auto& hwid : changes.blacklisted_hwids)
      product["blacklist"]["hwids"].push_back(hwid);
  }
  nlohmann::json tmpl;
  for (const auto& license : fixtures["licenses"]) {
    if (license["key"] == devserver::kDemoLicenseKey)
      tmpl = license;
  }
  if (tmpl.is_null())
    return MakeError(ErrorCode::kHarness,
                     "no DEMO-ALLOW-0001 in the demo fixtures");
  for (size_t i = 0; i < changes.extra_allow_keys.size(); ++i) {
    nlohmann::json license = tmpl;
    license["key"] = changes.extra_allow_keys[i];
    license["id"] = LicenseId(i);
    license["maxConcurrentSessions"] = changes.max_sessions;
    fixtures["licenses"].push_back(std::move(license));
  }
  std::ofstream out(path);
  out << fixtures.dump(2) << "\n";
  out.close();
  if (!out)
    return MakeError(ErrorCode::kHarness, "cannot write " + path.string());
  return Ok();
}

std::string FakeTimeLibrary(std::string* why_not) {
#ifdef GG_E2E_SANITIZED
  // This tree's gg-agent is sanitized too. libfaketime's clock_gettime()
  // is called by the sanitizer runtime while it initializes, before
  // libfaketime is ready: it prints "Unexpected recursive calls to
  // clock_gettime()" and the agent hangs (libfaketime 0.9.10, clang 14).
  // The plain build of scripts/test.sh runs these tests.
  *why_not =
      "libfaketime hangs a sanitized gg-agent at start; the plain build "
      "runs this test";
  return "";
#else
  for (const char* path :
       {"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1"}) {
    if (std::filesystem::exists(path))
      return path;
  }
  *why_not = "libfaketime (Debian package libfaketime) not installed";
  return "";
#endif
}

bool SanitizedBuild() {
#ifdef GG_E2E_SANITIZED
  return true;
#else
  return false;
#endif
}

int CountAuthorizeRequests(const nlohmann::json& requests,
                           const std::string& license_key) {
  int n = 0;
  for (const auto& r : requests) {
    if (r.value("path", "") != "/v1/licenses/authorize")
      continue;
    auto body = nlohmann::json::parse(r.value("body", ""), nullptr, false);
    if (!body.is_discarded() && body.is_object() &&
        body.value("licenseKey", "") == license_key)
      ++n;
  }
  return n;
}

}  // namespace gg::e2e
