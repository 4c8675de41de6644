// Internal to libggclient: the one rule that turns an answer line into a
// gg_verdict (spec/ipc.md "Verdicts" and "Errors"; issue 16 point 6).
//
// An answer is an allow only when ok is true, allow is true, there is no
// reasonCode (absent or null) and no "error" member of any type. Anything
// else is a deny with the best reason available. The Python and Node
// clients apply the same rule to the same table (tests/clients/answers.json).
#ifndef GG_IPC_CLIENT_ANSWER_H_
#define GG_IPC_CLIENT_ANSWER_H_

#include <cstddef>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "gg/client.h"

namespace gg::client_internal {

template <std::size_t N>
void Copy(char (&dst)[N], const std::string& src) {
  std::size_t n = src.size() < N - 1 ? src.size() : N - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// A string member, "" when absent or not a string.
std::string Str(const nlohmann::json& j, const char* key);

// Fills `out` from an answer object. GG_OK (a verdict, allow or deny),
// GG_ERR_REQUEST (an error answer: error_code set) or GG_ERR_PROTOCOL (not
// a sensible answer: a deny, AGENT_UNAVAILABLE unless it named a reason).
int VerdictFromAnswer(const nlohmann::json& answer, gg_verdict* out);

// The deny the library fills itself: `reason` (AGENT_UNAVAILABLE,
// CLIENT_INVALID_ARGUMENT, ...) with source "client".
void ClientDeny(gg_verdict* out, const char* reason, const std::string& why);

}  // namespace gg::client_internal

#endif  // GG_IPC_CLIENT_ANSWER_H_
