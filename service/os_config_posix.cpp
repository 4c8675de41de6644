#include "service/os_config.h"

namespace gg::service {

Status CheckConfigForThisOs(const config::Config&) {
  return Ok();  // every setting has its POSIX meaning
}

}  // namespace gg::service
