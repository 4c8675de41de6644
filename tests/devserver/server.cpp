#include "tests/devserver/server.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/random.h"
#include "platform/signing.h"
#include "tests/devserver/connection.h"

namespace gg::devserver {
namespace {

using nlohmann::json;

// Handlers may hang (fault `hang`) or sleep (delayMs); enough threads that
// a few of those never starve the admin calls of a test.
constexpr std::size_t kThreads = 32;
constexpr auto kHangLimit = std::chrono::minutes(10);

std::string HttpDate(long long unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<std::string> Header(const httplib::Request& req,
                                  const char* name) {
  if (!req.has_header(name)) {
    return std::nullopt;
  }
  return req.get_header_value(name);
}

std::string CodeOf(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    return "";
  }
  if (j.contains("reasonCode") && j["reasonCode"].is_string()) {
    return j["reasonCode"];
  }
  if (j.contains("error") && j["error"].is_object() &&
      j["error"].contains("code") && j["error"]["code"].is_string()) {
    return j["error"]["code"];
  }
  return "";
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {
  if (tls()) {
    http_ = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(),
                                                 options_.tls_key.c_str());
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  http_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  ResetState();
  Routes();
  if (!options_.admin_token.empty()) {
    AdminRoutes();
  }
}

Server::~Server() = default;

Result<int> Server::Bind(const std::string& host, int port) {
  if (!http_->is_valid()) {
    return MakeError(ErrorCode::kHarness,
                     "cannot load the TLS certificate or key");
  }
  int bound = port;
  if (port == 0) {
    bound = http_->bind_to_any_port(host);
  } else if (!http_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return MakeError(ErrorCode::kHarness,
                     "cannot listen on " + host + ":" + std::to_string(port));
  }
  return bound;
}

bool Server::Run() {
  return http_->listen_after_bind();
}

void Server::Stop() {
  stopping_ = true;
  http_->stop();
}

long long Server::NowUnix() {
  std::lock_guard lock(mu_);
  return UnixSeconds(std::chrono::system_clock::now()) + clock_offset_;
}

void Server::ResetState() {
  long long now = UnixSeconds(std::chrono::system_clock::now());
  std::lock_guard lock(mu_);
  clock_offset_ = 0;
  book_ = std::make_unique<LicenseBook>(options_.fixtures, now);
  nonces_.Clear();
  limiter_.Clear();
  faults_.clear();
  requests_ = json::array();
}

void Server::Common(httplib::Response& res, long long now) {
  res.set_header("Date", HttpDate(now));
}

void Server::SendError(httplib::Response& res, const ApiError& e) {
  res.status = e.status;
  for (const auto& [k, v] : e.headers) {
    res.set_header(k, v);
  }
  res.set_content(ErrorEnvelope(e).dump(), "application/json");
}

void Server::Routes() {
  http_->set_pre_routing_handler(
      [this](const httplib::Request&, httplib::Response& res) {
        auto id = RandomHex(12);
        res.set_header("x-request-id", id ? "req_" + *id : "req_unavailable");
        Common(res, NowUnix());
        return httplib::Server::HandlerResponse::Unhandled;
      });
  // cpp-httplib calls this for every status >= 400; only fill empty bodies.
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        ApiError e{res.status,
                   res.status == 404 ? "NOT_FOUND" : "BAD_REQUEST",
                   res.status == 404 ? "No such route" : "Bad request",
                   nullptr,
                   {}};
        res.set_content(ErrorEnvelope(e).dump(), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(
            ErrorEnvelope({500, "INTERNAL", "Unhandled exception", nullptr, {}})
                .dump(),
            "application/json");
      });
  http_->set_logger(
      [](const httplib::Request& req, const httplib::Response& res) {
        std::fprintf(stderr, "gg-devserver: %s %s -> %d %s x-request-id=%s\n",
                     req.method.c_str(), req.path.c_str(), res.status,
                     CodeOf(res.body).c_str(),
                     res.get_header_value("x-request-id").c_str());
      });
  http_->Post("/v1/licenses/authorize",
              [this](const httplib::Request& req, httplib::Response& res) {
                Authorize(req, res);
              });
  http_->Get("/v1/whoami",
             [this](const httplib::Request& req, httplib::Response& res) {
               Whoami(req, res);
             });
}

void Server::Whoami(const httplib::Request& req, httplib::Response& res) {
  const ApiKey* key = nullptr;
  std::lock_guard lock(mu_);
  if (auto e = CheckApiKey(options_.fixtures, req.get_header_value("X-Api-Key"),
                           "", &key)) {
    SendError(res, *e);
    return;
  }
  res.set_content(json{{"ok", true},
                       {"apiKeyId", key->id},
                       {"permissions", key->permissions}}
                      .dump(),
                  "application/json");
}

std::optional<ApiError> Server::RateLimit(
    const ApiKey& key,
    const std::string& body,
    std::map<std::string, std::string>& headers) {
  auto now = std::chrono::steady_clock::now();
  auto d = limiter_.Take("key:" + key.id, key.rate_limit_per_minute, now);
  headers["X-RateLimit-Remaining-Key"] = std::to_string(d.remaining);
  if (!d.allowed) {
    headers["Retry-After"] = std::to_string(d.retry_after_seconds);
    return ApiError{429, "RATE_LIMITED", "Too many requests for this API key",
                    nullptr, headers};
  }
  // The product budget needs the product before the body is validated, so
  // read it leniently here; an unknown product has no product budget.
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("productId") ||
      !j["productId"].is_string()) {
    return std::nullopt;
  }
  for (const auto& p : options_.fixtures.products) {
    if (p.id != j["productId"].get<std::string>()) {
      continue;
    }
    auto pd = limiter_.Take("product:" + p.id, p.rate_limit_per_minute, now);
    headers["X-RateLimit-Remaining-Product"] = std::to_string(pd.remaining);
    if (!pd.allowed) {
      headers["Retry-After"] = std::to_string(pd.retry_after_seconds);
      return ApiError{429, "PRODUCT_RATE_LIMITED",
                      "Too many requests for this product", nullptr, headers};
    }
  }
  return std::nullopt;
}

Server::Answer Server::Pipeline(const httplib::Request& req, long long now) {
  Answer a;
  auto fail = [&a](const ApiError& e) {
    a.status = e.status;
    a.code = e.code;
    a.body = ErrorEnvelope(e);
    for (const auto& [k, v] : e.headers) {
      a.headers[k] = v;
    }
    return a;
  };
  std::lock_guard lock(mu_);
  const ApiKey* key = nullptr;
  if (auto e = CheckApiKey(options_.fixtures, req.get_header_value("X-Api-Key"),
                           kAuthorizePermission, &key)) {
    return fail(*e);
  }
  SignatureHeaders sig{Header(req, "X-GG-Timestamp"), Header(req, "X-GG-Nonce"),
                       Header(req, "X-GG-Signature")};
  if (auto e = CheckSignature(options_.fixtures.signing_secret, req.method,
                              req.path, sig, req.body, now)) {
    return fail(*e);
  }
  if (!nonces_.Remember(*sig.nonce, now)) {
    return fail({401,
                 "NONCE_REUSED",
                 "Nonce was already seen within the last 10 minutes",
                 nullptr,
                 {}});
  }
  a.nonce = *sig.nonce;
  if (auto e = RateLimit(*key, req.body, a.headers)) {
    return fail(*e);
  }
  auto input = ParseAuthorizeBody(req.body);
  if (!input) {
    return fail(input.error());
  }
  Verdict v = book_->Evaluate(*input, req.remote_addr, now);
  a.status = v.status;
  a.code = v.reason_code;
  a.body = std::move(v.body);
  a.verdict = true;
  return a;
}

void Server::SendAnswer(const httplib::Request& req,
                        httplib::Response& res,
                        Answer a,
                        long long now,
                        const std::string& action) {
  std::string body = a.body.dump();
  for (const auto& [k, v] : a.headers) {
    res.set_header(k, v);
  }
  if (a.verdict && action != "unsigned") {
    std::string ts = std::to_string(now);
    auto sig = signing::SignResponse(options_.fixtures.response_seed, a.nonce,
                                     req.body, a.status, ts, body);
    if (!sig) {
      SendError(res, {500, "INTERNAL", "Cannot sign the verdict", nullptr, {}});
      return;
    }
    std::string signature = *sig;
    if (action == "bad-signature") {
      // Flip one bit of the raw signature: still 64 bytes of valid base64.
      auto raw = crypto::Base64Decode(signature);
      if (raw && !raw->empty()) {
        (*raw)[0] = static_cast<char>((*raw)[0] ^ 0x01);
        signature = crypto::Base64Encode(*raw);
      }
    }
    res.set_header("X-GG-Response-Timestamp", ts);
    res.set_header("X-GG-Response-Signature", signature);
  }
  res.status = a.status;
  res.set_content(body, "application/json");
}

void Server::Authorize(const httplib::Request& req, httplib::Response& res) {
  long long now = NowUnix();
  std::string request_id = res.get_header_value("x-request-id");
  std::optional<Fault> fault = TakeFault();
  std::string action = fault ? fault->action : "";
  if (fault && fault->delay_ms > 0) {
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(fault->delay_ms);
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    now = NowUnix();
  }
  if (action == "drop" || action == "hang") {
    Record(req, now, 0, "", request_id, action);
    std::fprintf(stderr, "gg-devserver: %s %s -> fault %s x-request-id=%s\n",
                 req.method.c_str(), req.path.c_str(), action.c_str(),
                 request_id.c_str());
    if (action == "drop") {
      DropConnection(req);
    } else {
      HangConnection(req, stopping_, kHangLimit);
    }
    return;
  }
  if (action == "garbage") {
    res.status = 200;
    res.set_content("<html>this is not JSON", "text/html");
    Record(req, now, 200, "", request_id, action);
    return;
  }
  if (action == "respond") {
    ApiError e{fault->status, fault->code, fault->message, nullptr, {}};
    if (fault->retry_after) {
      e.headers["Retry-After"] = std::to_string(*fault->retry_after);
    } else if (fault->status == 429) {
      e.headers["Retry-After"] = "60";  // the seed: always set on 429
    }
    SendError(res, e);
    Record(req, now, e.status, e.code, request_id, action);
    return;
  }
  Answer a = Pipeline(req, now);
  int status = a.status;
  std::string code = a.code;
  SendAnswer(req, res, std::move(a), now, action);
  Record(req, now, status, code, request_id, action);
}

}  // namespace gg::devserver
