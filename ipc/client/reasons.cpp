// gg_reason_default_message: the user-facing texts of the API's
// "Recommended client handling" (shared/seeds/api-errors.txt), so vendors
// do not copy the table; the agent's and the library's codes get texts in
// the same voice.
#include <cstring>

#include "gg/client.h"

namespace {

struct ReasonText {
  const char* code;
  const char* text;
};

constexpr ReasonText kTexts[] = {
    {GG_REASON_LICENSE_NOT_FOUND, "Invalid license key"},
    {GG_REASON_PRODUCT_MISMATCH, "Invalid license key"},
    {GG_REASON_LICENSE_EXPIRED, "License has expired"},
    {GG_REASON_LICENSE_EXPIRED_RELATIVE, "License has expired"},
    {GG_REASON_LICENSE_REVOKED, "License has been revoked"},
    {GG_REASON_HWID_MISMATCH, "License is bound to a different device"},
    {GG_REASON_HWID_LIMIT_EXCEEDED, "License is bound to a different device"},
    {GG_REASON_HWID_BLACKLISTED, "Access denied"},
    {GG_REASON_IP_BLACKLISTED, "Access denied"},
    {GG_REASON_CONCURRENCY_LIMIT_EXCEEDED,
     "Too many active sessions. Close other instances first."},
    {GG_REASON_IP_MISMATCH, "License is bound to a different network address"},
    {GG_REASON_IP_LIMIT_EXCEEDED, "License is used from too many addresses"},
    {GG_REASON_IP_REGION_MISMATCH, "License is not valid in this region"},
    {GG_REASON_AGENT_OFFLINE,
     "The license server cannot be reached. Check your connection."},
    {GG_REASON_OFFLINE_GRACE_EXPIRED,
     "The license could not be checked for too long. Connect to the "
     "internet."},
    {GG_REASON_CLOCK_TAMPERED,
     "The system clock was set back. Correct the date and time."},
    {GG_REASON_AGENT_UNAUTHORIZED,
     "The license service is misconfigured. Contact your administrator."},
    {GG_REASON_AGENT_STOPPING, "The license service is restarting"},
    {GG_REASON_AGENT_UNAVAILABLE, "The license service is not running"},
    {GG_REASON_CLIENT_INVALID_ARGUMENT,
     "The application called the license check wrongly"},
};

}  // namespace

extern "C" const char* gg_reason_default_message(const char* reason_code) {
  if (reason_code != nullptr) {
    for (const ReasonText& t : kTexts) {
      if (std::strcmp(t.code, reason_code) == 0) {
        return t.text;
      }
    }
  }
  return "Validation failed";
}
