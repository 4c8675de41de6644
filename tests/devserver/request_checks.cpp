#include "tests/devserver/request_checks.h"

#include <algorithm>
#include <cstdlib>

#include "platform/crypto.h"
#include "platform/signing.h"

namespace gg::devserver {
namespace {

ApiError Unauthorized(std::string code, std::string message) {
  return ApiError{401, std::move(code), std::move(message), nullptr, {}};
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 12 &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<ApiError> CheckApiKey(const Fixtures& fixtures,
                                    std::string_view header,
                                    std::string_view permission,
                                    const ApiKey** found) {
  *found = nullptr;
  for (const auto& k : fixtures.api_keys) {
    if (crypto::ConstantTimeEquals(k.key, header)) {
      *found = &k;
    }
  }
  if (header.empty() || *found == nullptr) {
    return Unauthorized("UNAUTHORIZED", "Missing or unknown API key");
  }
  if (permission.empty()) {
    return std::nullopt;
  }
  const auto& perms = (*found)->permissions;
  if (perms.empty()) {
    return ApiError{403,
                    "API_KEY_NO_PERMISSIONS",
                    "API key has no permissions",
                    nullptr,
                    {}};
  }
  if (std::find(perms.begin(), perms.end(), permission) == perms.end()) {
    return ApiError{
        403,
        "PERMISSION_DENIED",
        "API key does not have permission: " + std::string(permission),
        nullptr,
        {}};
  }
  return std::nullopt;
}

std::optional<ApiError> CheckSignature(std::string_view secret,
                                       std::string_view method,
                                       std::string_view path,
                                       const SignatureHeaders& headers,
                                       std::string_view body,
                                       long long now_unix) {
  if (!headers.timestamp || !headers.nonce || !headers.signature) {
    return Unauthorized(
        "SIGNATURE_REQUIRED",
        "X-GG-Timestamp, X-GG-Nonce and X-GG-Signature are required");
  }
  if (!AllDigits(*headers.timestamp)) {
    return Unauthorized("INVALID_SIGNATURE",
                        "X-GG-Timestamp must be whole Unix seconds");
  }
  if (headers.nonce->size() < 16 || headers.nonce->size() > 64) {
    return Unauthorized("INVALID_SIGNATURE",
                        "X-GG-Nonce must be 16 to 64 characters");
  }
  auto expected = signing::RequestSignature(
      secret, method, path, *headers.timestamp, *headers.nonce, body);
  if (!expected || !crypto::ConstantTimeEquals(*expected, *headers.signature)) {
    return Unauthorized("INVALID_SIGNATURE",
                        "Signature does not match the canonical request");
  }
  long long ts = std::strtoll(headers.timestamp->c_str(), nullptr, 10);
  if (std::llabs(ts - now_unix) > kSignatureWindowSeconds) {
    return Unauthorized("SIGNATURE_EXPIRED",
                        "X-GG-Timestamp is more than 300s from server time");
  }
  return std::nullopt;
}

bool NonceStore::Remember(const std::string& nonce, long long now_unix) {
  // Forget what fell out of the window so memory stays bounded.
  std::erase_if(seen_, [&](const auto& entry) {
    return now_unix - entry.second >= kNonceWindowSeconds;
  });
  auto it = seen_.find(nonce);
  if (it != seen_.end()) {
    return false;
  }
  seen_[nonce] = now_unix;
  return true;
}

}  // namespace gg::devserver
