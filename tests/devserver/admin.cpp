// The test controls of spec/devserver.md: faults, clock offset, license
// changes, request log and reset. Only registered with --admin-token, only
// answered on loopback and with a matching X-Admin-Token.
#include <chrono>

#include "platform/crypto.h"
#include "tests/devserver/server.h"

namespace gg::devserver {
namespace {

using nlohmann::json;

ApiError Invalid(const std::string& field, const std::string& message) {
  return ApiError{400,
                  "VALIDATION_ERROR",
                  "Admin request failed validation",
                  json::array({{{"field", field}, {"message", message}}}),
                  {}};
}

bool IsLoopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" ||
         addr.rfind("::ffff:127.", 0) == 0;
}

json Ok() {
  return {{"ok", true}};
}

}  // namespace

tl::expected<Fault, ApiError> ParseFault(const json& o) {
  if (!o.is_object()) {
    return tl::unexpected(Invalid("body", "Expected a JSON object"));
  }
  Fault f;
  auto int_field = [&o](const char* name, int min, int max,
                        int& out) -> std::optional<ApiError> {
    auto it = o.find(name);
    if (it == o.end() || it->is_null()) {
      return std::nullopt;
    }
    if (!it->is_number_integer() || it->get<long long>() < min ||
        it->get<long long>() > max) {
      return Invalid(name, "Expected an integer from " + std::to_string(min) +
                               " to " + std::to_string(max));
    }
    out = it->get<int>();
    return std::nullopt;
  };
  auto str_field = [&o](const char* name,
                        std::string& out) -> std::optional<ApiError> {
    auto it = o.find(name);
    if (it == o.end() || it->is_null()) {
      return std::nullopt;
    }
    if (!it->is_string()) {
      return Invalid(name, "Expected string");
    }
    out = it->get<std::string>();
    return std::nullopt;
  };
  for (auto e :
       {int_field("times", 1, 1000000, f.times),
        int_field("status", 100, 599, f.status),
        int_field("delayMs", 0, 600000, f.delay_ms), str_field("code", f.code),
        str_field("message", f.message), str_field("action", f.action)}) {
    if (e) {
      return tl::unexpected(*e);
    }
  }
  if (o.contains("retryAfter") && !o["retryAfter"].is_null()) {
    int retry = 0;
    if (auto e = int_field("retryAfter", 0, 86400, retry)) {
      return tl::unexpected(*e);
    }
    f.retry_after = retry;
  }
  for (const char* a :
       {"respond", "drop", "hang", "garbage", "bad-signature", "unsigned"}) {
    if (f.action == a) {
      return f;
    }
  }
  return tl::unexpected(Invalid(
      "action",
      "Expected respond, drop, hang, garbage, bad-signature or unsigned"));
}

std::optional<Fault> Server::TakeFault() {
  std::lock_guard lock(mu_);
  if (faults_.empty()) {
    return std::nullopt;
  }
  Fault f = faults_.front();
  if (--faults_.front().times <= 0) {
    faults_.pop_front();
  }
  return f;
}

void Server::Record(const httplib::Request& req,
                    long long now,
                    int status,
                    const std::string& code,
                    const std::string& request_id,
                    const std::string& fault) {
  json headers = json::object();
  for (const auto& [k, v] : req.headers) {
    // httplib files the peer's addresses as pseudo headers; not received.
    if (k == "LOCAL_ADDR" || k == "LOCAL_PORT" || k == "REMOTE_ADDR" ||
        k == "REMOTE_PORT") {
      continue;
    }
    // Repeated headers are joined as HTTP allows.
    std::string& slot = headers[k].is_string()
                            ? headers[k].get_ref<std::string&>()
                            : (headers[k] = "").get_ref<std::string&>();
    slot = slot.empty() ? v : slot + ", " + v;
  }
  json entry = {{"time", FormatIsoTime(now)},
                {"unixTime", now},
                {"requestId", request_id},
                {"method", req.method},
                {"path", req.path},
                {"remoteAddr", req.remote_addr},
                {"headers", headers},
                {"body", req.body},
                {"status", status},
                {"code", code.empty() ? json(nullptr) : json(code)},
                {"fault", fault.empty() ? json(nullptr) : json(fault)}};
  std::lock_guard lock(mu_);
  requests_.push_back(std::move(entry));
}

bool Server::AdminAllowed(const httplib::Request& req, httplib::Response& res) {
  if (!IsLoopback(req.remote_addr)) {
    SendError(
        res, {403, "FORBIDDEN", "Admin calls only from loopback", nullptr, {}});
    return false;
  }
  if (!crypto::ConstantTimeEquals(req.get_header_value("X-Admin-Token"),
                                  options_.admin_token)) {
    SendError(
        res,
        {401, "UNAUTHORIZED", "Missing or wrong X-Admin-Token", nullptr, {}});
    return false;
  }
  return true;
}

void Server::AdminRoutes() {
  auto parse = [this](const httplib::Request& req, httplib::Response& res,
                      json& out) {
    out = json::parse(req.body, nullptr, false);
    if (out.is_discarded() || !out.is_object()) {
      SendError(res, Invalid("body", "Expected a JSON object"));
      return false;
    }
    return true;
  };
  http_->Post("/__admin/faults", [this, parse](const httplib::Request& req,
                                               httplib::Response& res) {
    json body;
    if (!AdminAllowed(req, res) || !parse(req, res, body)) {
      return;
    }
    auto fault = ParseFault(body);
    if (!fault) {
      SendError(res, fault.error());
      return;
    }
    std::lock_guard lock(mu_);
    faults_.push_back(*fault);
    res.set_content(Ok().dump(), "application/json");
  });
  http_->Post("/__admin/clock", [this, parse](const httplib::Request& req,
                                              httplib::Response& res) {
    json body;
    if (!AdminAllowed(req, res) || !parse(req, res, body)) {
      return;
    }
    if (!body.contains("offsetSeconds") ||
        !body["offsetSeconds"].is_number_integer()) {
      SendError(res, Invalid("offsetSeconds", "Expected an integer"));
      return;
    }
    std::lock_guard lock(mu_);
    clock_offset_ = body["offsetSeconds"].get<long long>();
    res.set_content(Ok().dump(), "application/json");
  });
  http_->Put(
      R"(/__admin/licenses/([^/]+))",
      [this, parse](const httplib::Request& req, httplib::Response& res) {
        json body;
        if (!AdminAllowed(req, res) || !parse(req, res, body)) {
          return;
        }
        long long now = NowUnix();
        std::lock_guard lock(mu_);
        if (auto e = book_->Put(req.matches[1], body, now)) {
          SendError(res, *e);
          return;
        }
        res.set_content(Ok().dump(), "application/json");
      });
  http_->Get("/__admin/requests", [this](const httplib::Request& req,
                                         httplib::Response& res) {
    if (!AdminAllowed(req, res)) {
      return;
    }
    std::lock_guard lock(mu_);
    res.set_content(json{{"ok", true}, {"requests", requests_}}.dump(),
                    "application/json");
  });
  http_->Post("/__admin/reset",
              [this](const httplib::Request& req, httplib::Response& res) {
                if (!AdminAllowed(req, res)) {
                  return;
                }
                ResetState();
                res.set_content(Ok().dump(), "application/json");
              });
}

}  // namespace gg::devserver
