#include "tests/devserver/test_client.h"

#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/random.h"
#include "platform/signing.h"

namespace gg::devserver::testing {
namespace {

httplib::Client MakeClient(const std::string& base_url,
                           bool tls,
                           std::chrono::milliseconds timeout) {
  httplib::Client client(base_url);
  if (tls) {
    client.set_ca_cert_path(TestCertDir() + "/ca.pem");
    client.enable_server_certificate_verification(true);
  }
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  return client;
}

Result<Answer> ToAnswer(httplib::Result res) {
  if (!res) {
    return MakeError(ErrorCode::kHarness, httplib::to_string(res.error()));
  }
  Answer a;
  a.status = res->status;
  a.body = res->body;
  a.headers = res->headers;
  return a;
}

}  // namespace

std::string Answer::Header(const std::string& name) const {
  auto it = headers.find(name);  // httplib's Headers compare case-blind
  return it == headers.end() ? "" : it->second;
}

nlohmann::json Answer::Json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

std::string Answer::Code() const {
  auto j = Json();
  if (!j.is_object()) {
    return "";
  }
  if (j.contains("reasonCode")) {
    return j["reasonCode"].get<std::string>();
  }
  if (j.contains("error") && j["error"].contains("code")) {
    return j["error"]["code"].get<std::string>();
  }
  return "";
}

bool Answer::SignatureVerifies() const {
  auto key = crypto::Base64Decode(DemoResponsePublicKey());
  if (!key) {
    return false;
  }
  return signing::VerifyResponse({*key}, Header("X-GG-Response-Signature"),
                                 nonce, request_body, status,
                                 Header("X-GG-Response-Timestamp"), body);
}

std::string Body(const std::string& license_key,
                 const std::string& hwid,
                 int sessions,
                 const std::string& product_id) {
  return nlohmann::json{{"productId", product_id},
                        {"licenseKey", license_key},
                        {"hwid", hwid},
                        {"sessions", sessions},
                        {"instanceId", "0123456789abcdef0123456789abcdef"},
                        {"agentVersion", "0.1.0"}}
      .dump();
}

Result<Answer> Authorize(const DevServer& server, const Call& call) {
  std::string nonce = call.nonce;
  if (nonce.empty()) {
    auto hex = RandomHex(16);
    if (!hex) {
      return tl::unexpected(hex.error());
    }
    nonce = *hex;
  }
  std::string ts = call.timestamp.value_or(std::to_string(
      UnixSeconds(std::chrono::system_clock::now()) + call.clock_skew));
  const std::string path = "/v1/licenses/authorize";
  auto sig = signing::RequestSignature(call.secret, "POST", path, ts, nonce,
                                       call.body);
  if (!sig) {
    return tl::unexpected(sig.error());
  }
  httplib::Headers headers;
  if (!call.api_key.empty()) {
    headers.emplace("X-Api-Key", call.api_key);
  }
  if (call.send_timestamp) {
    headers.emplace("X-GG-Timestamp", ts);
  }
  if (call.send_nonce) {
    headers.emplace("X-GG-Nonce", nonce);
  }
  if (call.send_signature) {
    headers.emplace("X-GG-Signature", call.signature.value_or(*sig));
  }
  headers.emplace("User-Agent", "gg-agent/0.1.0");
  auto client = MakeClient(
      server.BaseUrl(), server.BaseUrl().rfind("https", 0) == 0, call.timeout);
  auto answer =
      ToAnswer(client.Post(path, headers, call.body, "application/json"));
  if (answer) {
    answer->nonce = nonce;
    answer->request_body = call.body;
  }
  return answer;
}

Result<Answer> Send(const DevServer& server,
                    const std::string& method,
                    const std::string& path,
                    const httplib::Headers& headers,
                    const std::string& body) {
  auto client =
      MakeClient(server.BaseUrl(), server.BaseUrl().rfind("https", 0) == 0,
                 std::chrono::seconds(10));
  if (method == "GET") {
    return ToAnswer(client.Get(path, headers));
  }
  if (method == "PUT") {
    return ToAnswer(client.Put(path, headers, body, "application/json"));
  }
  return ToAnswer(client.Post(path, headers, body, "application/json"));
}

}  // namespace gg::devserver::testing
