#include "agent/upstream/request.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "platform/signing.h"

namespace gg::upstream {

Result<Endpoint> AuthorizeEndpoint(std::string_view base_url) {
  std::string_view rest;
  if (base_url.starts_with("https://")) {
    rest = base_url.substr(8);
  } else if (base_url.starts_with("http://")) {
    rest = base_url.substr(7);
  } else {
    return MakeError(ErrorCode::kInvalidBaseUrl,
                     "baseUrl must be http:// or https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidBaseUrl,
                     "baseUrl must not have a query");
  }
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidBaseUrl,
                     "baseUrl needs a host (no user info)");
  }
  std::string prefix(slash == std::string_view::npos ? std::string_view()
                                                     : rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') {
    prefix.pop_back();
  }
  Endpoint endpoint;
  endpoint.path = prefix + kAuthorizeSuffix;
  endpoint.url =
      std::string(base_url.substr(0, base_url.size() - rest.size())) +
      std::string(authority) + endpoint.path;
  return endpoint;
}

Result<std::string> AuthorizeBody(const AuthorizeRequest& request) {
  // ordered_json keeps the §1 field order; plain json would sort the keys.
  nlohmann::ordered_json body;
  body["productId"] = request.product_id;
  body["licenseKey"] = request.license_key;
  body["hwid"] = request.hwid;
  body["sessions"] = request.sessions;
  body["instanceId"] = request.instance_id;
  body["agentVersion"] = kAgentVersion;
  try {
    return body.dump();
  } catch (const nlohmann::json::exception&) {
    return MakeError(ErrorCode::kValidation,
                     "request field is not valid UTF-8");
  }
}

Result<HttpRequest> BuildSignedRequest(const Endpoint& endpoint,
                                       std::string body,
                                       const Secret& api_key,
                                       const Secret& signing_secret,
                                       long long unix_seconds,
                                       std::string_view nonce) {
  const std::string ts = std::to_string(unix_seconds);
  auto signature = signing::RequestSignature(signing_secret.Reveal(), "POST",
                                             endpoint.path, ts, nonce, body);
  if (!signature) {
    return tl::unexpected(signature.error());
  }
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint.url;
  request.headers = {
      {"Content-Type", "application/json"}, {"User-Agent", kUserAgent},
      {"X-Api-Key", api_key.Reveal()},      {"X-GG-Timestamp", ts},
      {"X-GG-Nonce", std::string(nonce)},   {"X-GG-Signature", *signature},
  };
  request.body = std::move(body);
  return request;
}

Result<RequestIdentity> IdentityFromRequestBody(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return MakeError(ErrorCode::kBadRequestBody,
                     "request body is not a JSON object");
  }
  RequestIdentity identity;
  const std::pair<const char*, std::string*> fields[] = {
      {"productId", &identity.product_id},
      {"licenseKey", &identity.license_key},
      {"hwid", &identity.hwid}};
  for (const auto& [name, out] : fields) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_string()) {
      return MakeError(ErrorCode::kBadRequestBody,
                       std::string("request body lacks ") + name);
    }
    *out = it->get<std::string>();
  }
  return identity;
}

}  // namespace gg::upstream
