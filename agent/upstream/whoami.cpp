#include "agent/upstream/whoami.h"

#include <nlohmann/json.hpp>

#include "agent/upstream/request.h"
#include "agent/upstream/response.h"

namespace gg::upstream {

Result<HttpRequest> BuildWhoamiRequest(std::string_view base_url,
                                       const Secret& api_key) {
  auto endpoint = AuthorizeEndpoint(base_url);
  if (!endpoint) {
    return tl::unexpected(endpoint.error());
  }
  // The authorize URL with its suffix swapped: one place parses base URLs.
  std::string url = endpoint->url.substr(
      0, endpoint->url.size() - std::string_view(kAuthorizeSuffix).size());
  HttpRequest request;
  request.method = "GET";
  request.url = url + kWhoamiSuffix;
  request.headers = {{"X-Api-Key", std::string(api_key.Reveal())},
                     {"User-Agent", kUserAgent},
                     {"Accept", "application/json"}};
  return request;
}

std::variant<WhoamiInfo, Failure> InterpretWhoami(
    const HttpResponse& response) {
  if (response.status != 200) {
    // The standard envelope reads like any other failure; there is no
    // verdict here, so the request it "belongs to" does not matter.
    Outcome o = InterpretResponse(response, SentRequest{}, {});
    if (auto* f = std::get_if<Failure>(&o)) {
      return *f;
    }
    Failure f;
    f.http_status = response.status;
    f.code = "BAD_RESPONSE";
    f.message = "whoami answered a verdict";
    f.request_id = response.Header("x-request-id");
    return f;
  }
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  WhoamiInfo info;
  info.request_id = response.Header("x-request-id");
  auto bad = [&](const char* why) {
    Failure f;
    f.http_status = 200;
    f.code = "BAD_RESPONSE";
    f.message = why;
    f.request_id = info.request_id;
    return f;
  };
  if (!body.is_object() || !body.contains("permissions") ||
      !body["permissions"].is_array()) {
    return bad("whoami answer without a permissions array");
  }
  for (const auto& p : body["permissions"]) {
    if (p.is_string()) {
      info.permissions.push_back(p.get<std::string>());
    }
  }
  if (auto it = body.find("apiKeyId"); it != body.end() && it->is_string()) {
    info.api_key_id = it->get<std::string>();
  }
  return info;
}

}  // namespace gg::upstream
