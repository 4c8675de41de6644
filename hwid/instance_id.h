// The instance ID for clone detection (spec/agent.md §5): a random 128-bit
// value made once at first run and kept in the state directory by the agent.
// It is not part of the hardware ID.
#ifndef GG_HWID_INSTANCE_ID_H_
#define GG_HWID_INSTANCE_ID_H_

#include <string>
#include <string_view>

#include "platform/result.h"

namespace gg::hwid {

// The state value name the agent keeps the instance ID under.
inline constexpr std::string_view kInstanceIdStateKey = "instance_id";

// 32 lowercase hex characters from the CSPRNG; an error if it fails (never a
// weaker fallback).
[[nodiscard]] Result<std::string> NewInstanceId();

// True for what NewInstanceId makes: 32 lowercase hex characters, so a
// corrupted stored value is replaced rather than sent.
bool IsValidInstanceId(std::string_view id);

}  // namespace gg::hwid

#endif  // GG_HWID_INSTANCE_ID_H_
