#include "ipc/protocol.h"

#include <utility>

namespace gg::ipc {
namespace {

using nlohmann::json;

// Depth of nested arrays/objects, counted outside strings, so a hostile
// line cannot make the parser or the destructor recurse deeply.
bool DepthWithin(std::string_view s, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return false;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

RejectedRequest Reject(json id, WireCode code, std::string message) {
  return RejectedRequest{std::move(id),
                         MakeErrorAnswer(code, std::move(message))};
}

RejectedRequest Invalid(json id, const std::string& field, std::string why) {
  RejectedRequest r{std::move(id), MakeErrorAnswer(WireCode::kValidationError,
                                                   field + " " + why)};
  r.error.details.emplace_back(field, std::move(why));
  return r;
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

const json* Field(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<RejectedRequest> ParseSessionId(const json& obj,
                                              const json& id,
                                              Request& out) {
  const json* sid = Field(obj, "sessionId");
  if (sid == nullptr || !sid->is_string()) {
    return Invalid(id, "sessionId", "must be a string");
  }
  out.session_id = sid->get<std::string>();
  if (out.session_id.empty() || out.session_id.size() > 128 ||
      !IsPrintableAscii(out.session_id)) {
    return Invalid(id, "sessionId", "must be 1-128 printable characters");
  }
  return std::nullopt;
}

std::optional<RejectedRequest> ParseAuthorize(const json& obj,
                                              const json& id,
                                              Request& out) {
  // Shape and types only: what a product ID and a license key may be is
  // the engine's to say, once (agent/engine/decision.h ValidateAuthorize).
  const json* pid = Field(obj, "productId");
  if (pid == nullptr || !pid->is_string()) {
    return Invalid(id, "productId", "must be a string");
  }
  out.authorize.product_id = pid->get<std::string>();
  const json* key = Field(obj, "licenseKey");
  if (key == nullptr || !key->is_string()) {
    return Invalid(id, "licenseKey", "must be a string");
  }
  out.authorize.license_key = key->get<std::string>();
  if (const json* app = Field(obj, "app"); app != nullptr && !app->is_null()) {
    const json* name = app->is_object() ? Field(*app, "name") : nullptr;
    const json* version = app->is_object() ? Field(*app, "version") : nullptr;
    if (name == nullptr || !name->is_string() || version == nullptr ||
        !version->is_string() ||
        name->get_ref<const std::string&>().size() > 256 ||
        version->get_ref<const std::string&>().size() > 256) {
      return Invalid(id, "app", "must be {name, version} strings");
    }
    out.authorize.app =
        AppInfo{name->get<std::string>(), version->get<std::string>()};
  }
  if (const json* d = Field(obj, "detached"); d != nullptr) {
    if (!d->is_boolean()) {
      return Invalid(id, "detached", "must be a boolean");
    }
    out.authorize.detached = d->get<bool>();
  }
  return std::nullopt;
}

json OptString(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

std::string Line(const json& j) {
  // Replace, never throw, on a handler string that is not UTF-8.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

json VerdictFields(const Verdict& v) {
  json j = {{"allow", v.allow},
            {"reasonCode", OptString(v.reason_code)},
            {"message", v.message},
            {"source", v.source}};
  if (v.allow || v.session_id) {
    j["sessionId"] = OptString(v.session_id);
  }
  if (v.allow || v.effective_expires_at) {
    j["effectiveExpiresAt"] = OptString(v.effective_expires_at);
  }
  if (v.allow || v.grace_ends_at) {
    j["graceEndsAt"] = OptString(v.grace_ends_at);
  }
  if (v.allow || v.license_id) {
    j["licenseId"] = OptString(v.license_id);
  }
  return j;
}

}  // namespace

bool LineFramer::Feed(std::string_view bytes, std::vector<std::string>& lines) {
  if (broken_) {
    return false;
  }
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    std::string_view chunk = bytes.substr(0, nl);
    // A line of max_frame_bytes_ including '\n' has max_frame_bytes_-1 bytes.
    // An unfinished line still needs its '\n', so the test is the same.
    if (partial_.size() + chunk.size() + 1 > max_frame_bytes_) {
      broken_ = true;
      partial_.clear();
      return false;
    }
    partial_.append(chunk);
    if (nl == std::string_view::npos) {
      break;
    }
    lines.push_back(std::move(partial_));
    partial_.clear();
    bytes.remove_prefix(nl + 1);
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) {
      return false;
    }
    std::size_t n = 0;
    unsigned int cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1fu;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0fu;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + n >= s.size()) {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3fu);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
        (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

ErrorAnswer MakeErrorAnswer(WireCode code, std::string message) {
  return ErrorAnswer{code, std::move(message), {}};
}

std::variant<Request, RejectedRequest> ParseRequest(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);  // tolerate CRLF clients
  }
  if (!IsValidUtf8(line)) {
    return Reject(nullptr, WireCode::kBadRequest, "request is not valid UTF-8");
  }
  if (!DepthWithin(line, kMaxJsonDepth)) {
    return Reject(nullptr, WireCode::kBadRequest,
                  "request is nested too deeply");
  }
  json obj = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) {
    return Reject(nullptr, WireCode::kBadRequest, "request is not JSON");
  }
  if (!obj.is_object()) {
    return Reject(nullptr, WireCode::kBadRequest,
                  "request is not a JSON object");
  }
  json id = nullptr;
  const json* id_field = Field(obj, "id");
  if (id_field == nullptr ||
      !(id_field->is_number() || id_field->is_string())) {
    return Invalid(nullptr, "id", "must be a number or a string");
  }
  id = *id_field;
  const json* v = Field(obj, "v");
  if (v == nullptr) {
    return Invalid(id, "v", "is required");
  }
  if (!v->is_number_integer() || v->get<long long>() != 1) {
    return Reject(id, WireCode::kUnsupportedVersion,
                  "only protocol version 1 is supported");
  }
  const json* op = Field(obj, "op");
  if (op == nullptr || !op->is_string()) {
    return Invalid(id, "op", "must be a string");
  }
  const auto& name = op->get_ref<const std::string&>();
  Request req;
  req.id = id;
  std::optional<RejectedRequest> bad;
  if (name == "authorize") {
    req.op = Op::kAuthorize;
    bad = ParseAuthorize(obj, id, req);
  } else if (name == "heartbeat") {
    req.op = Op::kHeartbeat;
    bad = ParseSessionId(obj, id, req);
  } else if (name == "release") {
    req.op = Op::kRelease;
    bad = ParseSessionId(obj, id, req);
  } else if (name == "status") {
    req.op = Op::kStatus;
  } else if (name == "sessions") {
    req.op = Op::kSessions;
  } else if (name == "metrics") {
    req.op = Op::kMetrics;
  } else if (name == "ping") {
    req.op = Op::kPing;
  } else {
    return Reject(id, WireCode::kUnknownOp, "unknown op");
  }
  if (bad) {
    return std::move(*bad);
  }
  return req;
}

std::string EncodeVerdict(const json& id, const Verdict& verdict) {
  json j = {{"id", id}, {"ok", verdict.allow}};
  j.update(VerdictFields(verdict));
  return Line(j);
}

std::string EncodeError(const json& id, const ErrorAnswer& error) {
  json err = {{"code", Name(error.code)}, {"message", error.message}};
  if (!error.details.empty()) {
    json details = json::array();
    for (const auto& [field, message] : error.details) {
      details.push_back({{"field", field}, {"message", message}});
    }
    err["details"] = std::move(details);
  }
  json answer = {{"id", id}, {"ok", false}, {"allow", false}, {"error", err}};
  if (error.retry_after_seconds) {
    answer["retryAfterSeconds"] = *error.retry_after_seconds;
  }
  return Line(answer);
}

std::string EncodeOk(const json& id) {
  return Line({{"id", id}, {"ok", true}});
}

std::string EncodeStatus(const json& id, const StatusInfo& s) {
  json last_error = nullptr;
  if (s.last_error) {
    last_error = {{"code", s.last_error->code},
                  {"message", s.last_error->message},
                  {"requestId", s.last_error->request_id},
                  {"since", s.last_error->since},
                  {"at", s.last_error->at},
                  {"failedAttempts", s.last_error->failed_attempts}};
  }
  json rate_limit = nullptr;
  if (s.rate_limit) {
    json remaining = json::object();
    for (const auto& [bucket, left] : s.rate_limit->remaining) {
      remaining[bucket] = left;
    }
    auto opt = [](const std::optional<long long>& v) {
      return v ? json(*v) : json(nullptr);
    };
    rate_limit = {{"remaining", remaining},
                  {"limit", opt(s.rate_limit->limit)},
                  {"reset", opt(s.rate_limit->reset)},
                  {"retryAfterSeconds", opt(s.rate_limit->retry_after_seconds)},
                  {"observedAt", s.rate_limit->observed_at}};
  }
  json store_error = nullptr;
  if (s.store_error) {
    store_error = {{"code", s.store_error->code},
                   {"message", s.store_error->message}};
  }
  return Line({{"id", id},
               {"ok", true},
               {"version", s.version},
               {"machineFingerprint", s.machine_fingerprint},
               {"instanceId", s.instance_id},
               {"online", s.online},
               {"lastAttemptAt", OptString(s.last_attempt_at)},
               {"lastContactAt", OptString(s.last_contact_at)},
               {"lastError", last_error},
               {"rateLimit", rate_limit},
               {"sessions", s.sessions},
               {"cachedVerdicts", s.cached_verdicts},
               {"verdictsInMemory", s.verdicts_in_memory},
               {"uptimeSeconds", s.uptime_seconds},
               {"storeError", store_error},
               {"maxConnections", s.max_connections},
               {"fdLimit", s.fd_limit > 0 ? json(s.fd_limit) : json(nullptr)}});
}

std::string EncodeSessions(const json& id,
                           const std::vector<SessionInfo>& sessions) {
  json rows = json::array();
  for (const auto& s : sessions) {
    json app = nullptr;
    if (s.app) {
      app = {{"name", s.app->name}, {"version", s.app->version}};
    }
    rows.push_back({{"sessionId", s.session_id},
                    {"productId", s.product_id},
                    {"pid", s.pid},
                    {"uid", s.uid},
                    {"app", app},
                    {"openedAt", s.opened_at},
                    {"lastSeenAt", s.last_seen_at}});
  }
  return Line({{"id", id}, {"ok", true}, {"sessions", rows}});
}

std::string EncodeMetrics(const json& id, const std::string& text) {
  return Line({{"id", id},
               {"ok", true},
               {"contentType", "text/plain; version=0.0.4"},
               {"text", text}});
}

std::string EncodeVerdictEvent(const std::string& session_id,
                               const Verdict& verdict) {
  json j = {{"event", "verdict"}};
  j.update(VerdictFields(verdict));
  j["sessionId"] = session_id;
  return Line(j);
}

std::string EncodeShutdownEvent() {
  // A reason code like a verdict's, so an app's switch handles it.
  return Line({{"event", "shutdown"},
               {"reasonCode", "AGENT_STOPPING"},
               {"message",
                "The license agent is stopping or restarting; its sessions "
                "end"}});
}

}  // namespace gg::ipc
