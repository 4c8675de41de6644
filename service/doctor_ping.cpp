// The doctor's `ping` over the agent's own client library (portable: a Unix
// socket or the named pipe).
#include <nlohmann/json.hpp>

#include "gg/client.h"
#include "service/doctor.h"

namespace gg::service {

std::string PingAgent(const std::string& path, bool* answered) {
  *answered = false;
  gg_client* client = gg_client_new(path.c_str());
  if (client == nullptr)
    return "cannot be asked (out of memory)";
  char* raw = nullptr;
  const int rc =
      gg_client_call_json(client, R"({"v":1,"id":1,"op":"ping"})", &raw);
  std::string error = gg_client_last_error(client);
  gg_client_free(client);
  if (raw == nullptr)
    return "does not answer (" + std::string(gg_client_strerror(rc)) + ": " +
           error + ")";
  const auto answer = nlohmann::json::parse(raw, nullptr, false);
  gg_client_string_free(raw);
  *answered = answer.is_object() && answer.value("ok", false);
  return *answered ? "answers ping" : "answers, but not ok to ping";
}

}  // namespace gg::service
