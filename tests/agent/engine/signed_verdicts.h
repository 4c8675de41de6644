// Builds genuinely signed verdicts for engine tests: a request body like the
// agent's, a response body like the server's, signed with a test Ed25519
// key, then read back through upstream's VerdictFromSignedMaterial.
#ifndef GG_TESTS_AGENT_ENGINE_SIGNED_VERDICTS_H_
#define GG_TESTS_AGENT_ENGINE_SIGNED_VERDICTS_H_

#include <optional>
#include <string>
#include <vector>

#include "agent/upstream/types.h"

namespace gg::testing {

inline constexpr const char* kProduct = "0b5c7a52-3c4e-4c1f-9a51-2d3f4e5a6b7c";
inline constexpr const char* kHwid = "aaaa1111";

struct VerdictSpec {
  std::string product_id = kProduct;
  std::string license_key = "KEY-1";
  std::string hwid = kHwid;
  bool allow = true;
  std::string reason_code{};  // for denials
  long long server_time = 1763790000;
  std::optional<long long> expires_at{};
  std::optional<int> max_sessions{};
  std::optional<long long> grace_seconds{};
  std::optional<long long> heartbeat_seconds{};
};

// The raw 32-byte public key matching the signing seed.
std::vector<std::string> TestPublicKeys();

upstream::Verdict SignedVerdict(const VerdictSpec& spec);

}  // namespace gg::testing

#endif  // GG_TESTS_AGENT_ENGINE_SIGNED_VERDICTS_H_
