// libFuzzer target for the authorize answer as a hostile or broken server
// could send it: status, header lines (through the transport's own header
// parser) and body, read by InterpretResponse with the real signature
// verification.
//
// Input: a first line "S<status>" (the fuzzer signs the final answer with
// the vendor key, so the parsing past verification is reached) or
// "-<status>" (no help: any signature must come from the input), then
// header lines up to an empty line, then the body.
//
// Invariants: a verdict that carries signed material has a signature that
// is byte for byte the vendor's over exactly this answer; an unsigned
// verdict is a 404 denial, never an allow; an allow has status 200; what
// would be cached verifies and parses again to the same verdict.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "agent/upstream/http_transport_curl.h"
#include "agent/upstream/response.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using gg::fuzz::Check;

constexpr std::string_view kNonce = "fuzz-nonce-0123456789abcdef";
constexpr std::string_view kRequestBody =
    R"({"productId":"7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10",)"
    R"("licenseKey":"DEMO-ALLOW-0001","hwid":"00","sessions":1})";
constexpr std::string_view kDefaultTimestamp = "1796126400";

bool SameBytes(std::string_view b64_a, std::string_view b64_b) {
  auto a = gg::crypto::Base64Decode(b64_a);
  auto b = gg::crypto::Base64Decode(b64_b);
  return a && b && *a == *b;
}

void CheckVerdict(const gg::upstream::Verdict& v,
                  const gg::upstream::HttpResponse& response) {
  if (!v.signed_material) {
    Check(!v.allow, "allow from an unsigned answer");
    Check(response.status == 404, "unsigned verdict from a non-404 answer");
    return;
  }
  const auto& m = *v.signed_material;
  Check(m.status == response.status && m.response_body == response.body &&
            m.request_nonce == kNonce && m.request_body == kRequestBody,
        "signed material is not the answer received");
  const std::string genuine =
      gg::fuzz::Sign(kNonce, kRequestBody, response.status,
                     response.Header("x-gg-response-timestamp"), response.body);
  Check(SameBytes(m.response_signature, genuine),
        "verdict accepted without the vendor's signature over this answer");
  Check(!v.allow || response.status == 200, "allow with a non-200 status");
  // What the store keeps must come back as the same verdict.
  auto again =
      gg::upstream::VerdictFromSignedMaterial(m, gg::fuzz::PublicKeys());
  Check(again.has_value(), "cached material no longer verifies");
  Check(
      again->allow == v.allow && again->reason_code == v.reason_code &&
          again->license_id == v.license_id &&
          again->effective_expires_at == v.effective_expires_at &&
          again->policy.max_concurrent_sessions ==
              v.policy.max_concurrent_sessions &&
          again->policy.offline_grace_seconds == v.policy.offline_grace_seconds,
      "cached material parses to another verdict");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view first = gg::fuzz::NextLine(rest);
  if (first.empty()) {
    return 0;
  }
  const bool sign = first[0] == 'S';
  gg::upstream::HttpResponse response;
  const std::string_view digits = first.substr(1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                   response.status);
  if (ec != std::errc() || response.status < 0 || response.status > 999) {
    return 0;
  }
  while (!rest.empty()) {
    std::string_view line = gg::fuzz::NextLine(rest);
    if (line.empty() || line == "\r") {
      break;
    }
    gg::upstream::AddHeaderLine(std::string(line) + "\r\n", response);
  }
  response.body = std::string(rest);
  if (sign) {
    if (response.Header("x-gg-response-timestamp").empty()) {
      response.headers["x-gg-response-timestamp"] = kDefaultTimestamp;
    }
    if (response.Header("x-gg-response-signature").empty()) {
      response.headers["x-gg-response-signature"] = gg::fuzz::Sign(
          kNonce, kRequestBody, response.status,
          response.Header("x-gg-response-timestamp"), response.body);
    }
  }
  const gg::upstream::SentRequest sent{std::string(kNonce),
                                       std::string(kRequestBody)};
  const gg::upstream::Outcome outcome =
      gg::upstream::InterpretResponse(response, sent, gg::fuzz::PublicKeys());
  if (const auto* v = std::get_if<gg::upstream::Verdict>(&outcome)) {
    CheckVerdict(*v, response);
  } else {
    const auto& f = std::get<gg::upstream::Failure>(outcome);
    Check(!f.code.empty(), "failure without a code");
    Check(response.body.size() <= gg::upstream::kMaxResponseBodyBytes ||
              f.code == "BAD_RESPONSE",
          "oversized body not refused as BAD_RESPONSE");
  }
  return 0;
}
