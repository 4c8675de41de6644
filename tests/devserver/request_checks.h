// Steps 1 and 2 of POST /v1/licenses/authorize (spec/devserver.md): the API
// key and the request signature, with the seed's codes and statuses. Pure
// functions plus NonceStore, which is not thread-safe (the server serialises
// calls under its state lock).
#ifndef GG_TESTS_DEVSERVER_REQUEST_CHECKS_H_
#define GG_TESTS_DEVSERVER_REQUEST_CHECKS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tests/devserver/api_error.h"
#include "tests/devserver/fixtures.h"

namespace gg::devserver {

inline constexpr char kAuthorizePermission[] = "license:authorize";
inline constexpr long long kSignatureWindowSeconds = 300;
inline constexpr long long kNonceWindowSeconds = 600;

// Finds the key for `header` (X-Api-Key). UNAUTHORIZED 401 when missing or
// unknown; when `permission` is non-empty, API_KEY_NO_PERMISSIONS 403 for a
// key with none and PERMISSION_DENIED 403 for a key without that one.
std::optional<ApiError> CheckApiKey(const Fixtures& fixtures,
                                    std::string_view header,
                                    std::string_view permission,
                                    const ApiKey** found);

// Signature headers as received; nullopt when absent.
struct SignatureHeaders {
  std::optional<std::string> timestamp;
  std::optional<std::string> nonce;
  std::optional<std::string> signature;
};

// SIGNATURE_REQUIRED, INVALID_SIGNATURE (timestamp format, nonce length,
// HMAC) and SIGNATURE_EXPIRED (beyond 300 s of `now_unix`), all 401.
std::optional<ApiError> CheckSignature(std::string_view secret,
                                       std::string_view method,
                                       std::string_view path,
                                       const SignatureHeaders& headers,
                                       std::string_view body,
                                       long long now_unix);

// Nonces seen in the last 10 minutes of server time.
class NonceStore {
 public:
  // False when `nonce` was seen less than 10 minutes before `now_unix`;
  // otherwise remembers it and returns true.
  bool Remember(const std::string& nonce, long long now_unix);
  void Clear() { seen_.clear(); }

 private:
  std::map<std::string, long long> seen_;
};

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_REQUEST_CHECKS_H_
