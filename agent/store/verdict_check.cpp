#include "agent/store/verdict_check.h"

#include <nlohmann/json.hpp>

#include "platform/signing.h"

namespace gg::store {

Status CheckStoredVerdict(const std::vector<std::string>& public_keys,
                          const StoredVerdict& verdict) {
  const upstream::SignedMaterial& m = verdict.material;
  if (m.status != 200 && m.status != 403)
    return MakeError("BAD_VERDICT",
                     "status " + std::to_string(m.status) + " is no verdict");
  if (!signing::VerifyResponse(public_keys, m.response_signature,
                               m.request_nonce, m.request_body, m.status,
                               m.response_timestamp, m.response_body))
    return MakeError("BAD_VERDICT", "response signature does not verify");
  // The signature covers the request body, so the key it names is the key
  // the server judged.
  auto body = nlohmann::json::parse(m.request_body, nullptr, false);
  if (!body.is_object())
    return MakeError("BAD_VERDICT", "signed request body is not an object");
  auto product = body.find("productId");
  auto license = body.find("licenseKey");
  if (product == body.end() || !product->is_string() || license == body.end() ||
      !license->is_string() ||
      product->get<std::string>() != verdict.key.product_id ||
      license->get<std::string>() != verdict.key.license_key)
    return MakeError("BAD_VERDICT",
                     "signed request is for another product or license key");
  return Ok();
}

}  // namespace gg::store
