// libFuzzer target for the server's times: RFC 3339 in verdict bodies
// (effectiveExpiresAt, serverTime), the HTTP Date header (the clock resync
// of SIGNATURE_EXPIRED) and Retry-After.
//
// Invariants: a time parsed is printed (FormatRfc3339, what the agent
// answers apps and stores) as text that parses back to the same second;
// Retry-After is never negative.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/upstream/response.h"
#include "platform/time_format.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using gg::fuzz::Check;

void CheckRoundTrip(gg::UnixTime t) {
  const std::string printed = gg::FormatRfc3339(t);
  const auto again = gg::upstream::ParseRfc3339(printed);
  Check(again.has_value(), "a parsed time prints as text that does not parse");
  Check(*again == t, "a parsed time prints as another second");
  Check(gg::FormatRfc3339(*again) == printed, "print -> parse -> print moved");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = gg::upstream::ParseRfc3339(text)) {
    CheckRoundTrip(*t);
  }
  if (auto t = gg::upstream::ParseHttpDate(text)) {
    CheckRoundTrip(gg::ToUnixTime(*t));
  }
  if (auto r = gg::upstream::ParseRetryAfter(text)) {
    // Uncapped here: server.maxRetryAfterSeconds caps it where it is used.
    Check(r->count() >= 0, "Retry-After negative");
  }
  return 0;
}
