#include "service/environment.h"

#include <cstdlib>

namespace gg::service {

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (!v)
    return std::nullopt;
  return std::string(v);
}

}  // namespace gg::service
