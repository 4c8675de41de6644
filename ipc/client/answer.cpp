#include "ipc/client/answer.h"

using nlohmann::json;

namespace gg::client_internal {

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void ClientDeny(gg_verdict* out, const char* reason, const std::string& why) {
  if (out == nullptr) {
    return;
  }
  *out = gg_verdict{};
  Copy(out->reason_code, reason);
  Copy(out->message, why);
  Copy(out->source, "client");
}

int VerdictFromAnswer(const json& j, gg_verdict* out) {
  *out = gg_verdict{};
  if (!j.is_object()) {
    ClientDeny(out, GG_REASON_AGENT_UNAVAILABLE,
               "the license agent's answer is not a JSON object");
    return GG_ERR_PROTOCOL;
  }
  Copy(out->reason_code, Str(j, "reasonCode"));
  Copy(out->message, Str(j, "message"));
  Copy(out->source, Str(j, "source"));
  Copy(out->session_id, Str(j, "sessionId"));
  Copy(out->effective_expires_at, Str(j, "effectiveExpiresAt"));
  Copy(out->grace_ends_at, Str(j, "graceEndsAt"));
  Copy(out->license_id, Str(j, "licenseId"));
  auto is_true = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
  };
  auto reason = j.find("reasonCode");
  const bool has_reason = reason != j.end() && !reason->is_null();
  auto error = j.find("error");
  const bool has_error = error != j.end();
  if (is_true("ok") && is_true("allow") && !has_reason && !has_error) {
    out->allow = 1;
    return GG_OK;
  }
  out->allow = 0;
  if (has_error) {
    if (error->is_object() && !Str(*error, "code").empty()) {
      Copy(out->error_code, Str(*error, "code"));
      Copy(out->message, Str(*error, "message"));
      return GG_ERR_REQUEST;
    }
    // An error that is not {code, message}: fall through to "no sense".
  } else if (has_reason && reason->is_string() && !reason->empty() &&
             !is_true("allow")) {
    return GG_OK;  // an ordinary deny
  }
  // Contradictory (allow true with a reason, an error or ok false) or
  // malformed: a deny, naming the agent's reason when it gave one.
  if (out->reason_code[0] == '\0') {
    Copy(out->reason_code, GG_REASON_AGENT_UNAVAILABLE);
    Copy(out->message, "the license agent's answer made no sense");
    Copy(out->source, "client");
  }
  return GG_ERR_PROTOCOL;
}

}  // namespace gg::client_internal
