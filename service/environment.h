// The process environment, read only in service/ (STYLE.md: no getenv
// elsewhere); everything below takes the values as parameters.
#ifndef GG_SERVICE_ENVIRONMENT_H_
#define GG_SERVICE_ENVIRONMENT_H_

#include <optional>
#include <string>

namespace gg::service {

// The variable's value, or nullopt when it is not set (set but empty is "").
std::optional<std::string> GetEnv(const char* name);

}  // namespace gg::service

#endif  // GG_SERVICE_ENVIRONMENT_H_
