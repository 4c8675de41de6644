// Shared by the fuzz targets: a fixed Ed25519 key that plays the vendor's
// response signing key, and a way to abort with a message. Each target
// signs what it wants accepted with this key itself, so libFuzzer reaches
// the code past signature verification; anything else it makes is
// unsigned or forged and must never come out as a verdict.
#ifndef GG_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define GG_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "platform/crypto.h"
#include "platform/signing.h"

namespace gg::fuzz {

// Aborts (libFuzzer then saves the input) with why.
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

inline void Check(bool ok, const char* what) {
  if (!ok) {
    Fail(what);
  }
}

inline const std::string& SigningSeed() {
  static const std::string seed(32, '\x5a');
  return seed;
}

// The public key list the agent would be configured with.
inline const std::vector<std::string>& PublicKeys() {
  static const std::vector<std::string> keys = [] {
    auto key = crypto::Ed25519PublicKey(SigningSeed());
    Check(key.has_value(), "cannot derive the fuzz public key");
    return std::vector<std::string>{*key};
  }();
  return keys;
}

// The base64 signature the vendor would send for this answer.
inline std::string Sign(std::string_view nonce,
                        std::string_view request_body,
                        int status,
                        std::string_view timestamp,
                        std::string_view response_body) {
  auto sig = signing::SignResponse(SigningSeed(), nonce, request_body, status,
                                   timestamp, response_body);
  Check(sig.has_value(), "cannot sign");
  return *sig;
}

// Splits off the text up to the next '\n' (which is dropped).
inline std::string_view NextLine(std::string_view& rest) {
  const auto nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest =
      nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

}  // namespace gg::fuzz

#endif  // GG_TESTS_FUZZ_FUZZ_SUPPORT_H_
