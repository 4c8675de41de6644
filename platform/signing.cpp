#include "platform/signing.h"

#include "platform/crypto.h"

namespace gg::signing {

std::string CanonicalRequest(std::string_view method,
                             std::string_view path,
                             std::string_view timestamp,
                             std::string_view nonce,
                             std::string_view body_sha256_hex) {
  std::string s;
  s.reserve(method.size() + path.size() + timestamp.size() + nonce.size() +
            body_sha256_hex.size() + 4);
  s.append(method).append("\n").append(path).append("\n");
  s.append(timestamp).append("\n").append(nonce).append("\n");
  s.append(body_sha256_hex);
  return s;
}

Result<std::string> RequestSignature(std::string_view secret,
                                     std::string_view method,
                                     std::string_view path,
                                     std::string_view timestamp,
                                     std::string_view nonce,
                                     std::string_view body) {
  auto body_sha = crypto::Sha256Hex(body);
  if (!body_sha)
    return body_sha;
  return crypto::HmacSha256Hex(
      secret, CanonicalRequest(method, path, timestamp, nonce, *body_sha));
}

Result<std::string> ResponseSignedString(std::string_view request_nonce,
                                         std::string_view request_body,
                                         int status,
                                         std::string_view response_timestamp,
                                         std::string_view response_body) {
  auto req_sha = crypto::Sha256Hex(request_body);
  if (!req_sha)
    return req_sha;
  auto resp_sha = crypto::Sha256Hex(response_body);
  if (!resp_sha)
    return resp_sha;
  std::string s = "gg-response-v1\n";
  s.append(request_nonce).append("\n").append(*req_sha).append("\n");
  s.append(std::to_string(status)).append("\n");
  s.append(response_timestamp).append("\n").append(*resp_sha);
  return s;
}

Result<std::string> SignResponse(std::string_view seed,
                                 std::string_view request_nonce,
                                 std::string_view request_body,
                                 int status,
                                 std::string_view response_ts,
                                 std::string_view response_body) {
  auto signed_string = ResponseSignedString(request_nonce, request_body, status,
                                            response_ts, response_body);
  if (!signed_string)
    return signed_string;
  auto sig = crypto::Ed25519Sign(seed, *signed_string);
  if (!sig)
    return sig;
  return crypto::Base64Encode(*sig);
}

bool VerifyResponse(const std::vector<std::string>& public_keys,
                    std::string_view signature_b64,
                    std::string_view request_nonce,
                    std::string_view request_body,
                    int status,
                    std::string_view response_ts,
                    std::string_view response_body) {
  auto sig = crypto::Base64Decode(signature_b64);
  if (!sig)
    return false;
  auto signed_string = ResponseSignedString(request_nonce, request_body, status,
                                            response_ts, response_body);
  if (!signed_string)
    return false;
  for (const auto& key : public_keys) {
    if (crypto::Ed25519Verify(key, *signed_string, *sig))
      return true;
  }
  return false;
}

}  // namespace gg::signing
