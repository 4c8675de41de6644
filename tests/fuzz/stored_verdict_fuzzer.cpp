// libFuzzer target for a cached verdict row as the agent loads it at start
// from a state file anyone with access to the disk could have edited: the
// store's check (CheckStoredVerdict, run by LoadVerdicts on every row), then
// upstream's parse of the verified material and of its signed request.
//
// Input, one field a line: "S" (the fuzzer signs the row's material with
// the vendor key when line 8 is empty) or "-", productId, licenseKey,
// request nonce, request body, status, response timestamp, response
// signature, and the response body as the rest.
//
// Invariants: a row passes only with the vendor's genuine signature over
// its exact material, a verdict status, and a signed request naming the
// row's own key; an allow has status 200; parsing the same material twice
// gives the same verdict.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/store/verdict_check.h"
#include "agent/upstream/request.h"
#include "agent/upstream/response.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using gg::fuzz::Check;
using gg::fuzz::NextLine;

bool SameBytes(std::string_view b64_a, std::string_view b64_b) {
  auto a = gg::crypto::Base64Decode(b64_a);
  auto b = gg::crypto::Base64Decode(b64_b);
  return a && b && *a == *b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const bool sign = NextLine(rest) == "S";
  gg::store::StoredVerdict row;
  row.key.product_id = std::string(NextLine(rest));
  row.key.license_key = std::string(NextLine(rest));
  auto& m = row.material;
  m.request_nonce = std::string(NextLine(rest));
  m.request_body = std::string(NextLine(rest));
  const std::string_view status = NextLine(rest);
  auto [ptr, ec] =
      std::from_chars(status.data(), status.data() + status.size(), m.status);
  if (ec != std::errc()) {
    m.status = 0;
  }
  m.response_timestamp = std::string(NextLine(rest));
  m.response_signature = std::string(NextLine(rest));
  m.response_body = std::string(rest);
  if (sign && m.response_signature.empty()) {
    m.response_signature =
        gg::fuzz::Sign(m.request_nonce, m.request_body, m.status,
                       m.response_timestamp, m.response_body);
  }

  const gg::Status checked =
      gg::store::CheckStoredVerdict(gg::fuzz::PublicKeys(), row);
  if (!checked) {
    Check(checked.error().code == gg::ErrorCode::kBadVerdict,
          "check failed without code");
    return 0;
  }
  Check(SameBytes(m.response_signature,
                  gg::fuzz::Sign(m.request_nonce, m.request_body, m.status,
                                 m.response_timestamp, m.response_body)),
        "row accepted without the vendor's signature over its material");
  Check(m.status == 200 || m.status == 403,
        "row accepted with no verdict status");
  auto fields = gg::upstream::IdentityFromRequestBody(m.request_body);
  Check(fields && fields->product_id == row.key.product_id &&
            fields->license_key == row.key.license_key,
        "row accepted for another key than its signed request names");

  auto verdict = gg::upstream::ParseVerifiedMaterial(m);
  if (!verdict) {
    return 0;
  }
  Check(!verdict->allow || m.status == 200, "allow with a non-200 status");
  Check(verdict->allow || !verdict->reason_code.empty(),
        "denial without a reason");
  auto again = gg::upstream::ParseVerifiedMaterial(m);
  Check(again && again->allow == verdict->allow &&
            again->reason_code == verdict->reason_code &&
            again->effective_expires_at == verdict->effective_expires_at,
        "the same material parsed to another verdict");
  return 0;
}
