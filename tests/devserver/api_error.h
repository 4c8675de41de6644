// The standard error envelope of the GeckoGuard API (seeds/api-errors.txt):
// {"ok":false,"error":{"code","message","details"?}}.
#ifndef GG_TESTS_DEVSERVER_API_ERROR_H_
#define GG_TESTS_DEVSERVER_API_ERROR_H_

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace gg::devserver {

struct ApiError {
  int status = 500;
  std::string code;
  std::string message;
  nlohmann::json details;                      // null, or [{field, message}]
  std::map<std::string, std::string> headers;  // extra response headers
};

// Ordered as the seed shows it, for people reading answers with curl.
inline nlohmann::ordered_json ErrorEnvelope(const ApiError& e) {
  nlohmann::ordered_json error = {{"code", e.code}, {"message", e.message}};
  if (!e.details.is_null()) {
    error["details"] = nlohmann::ordered_json(e.details);
  }
  return {{"ok", false}, {"error", error}};
}

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_API_ERROR_H_
