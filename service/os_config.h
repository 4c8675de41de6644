// Settings of the portable config that one OS cannot honour: refused at
// start and by check-config (exit 2 naming the field), never ignored.
#ifndef GG_SERVICE_OS_CONFIG_H_
#define GG_SERVICE_OS_CONFIG_H_

#include "agent/config/config.h"
#include "platform/result.h"

namespace gg::service {

// An error whose message starts with the offending field's name.
[[nodiscard]] Status CheckConfigForThisOs(const config::Config& config);

}  // namespace gg::service

#endif  // GG_SERVICE_OS_CONFIG_H_
