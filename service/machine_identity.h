// What `run` establishes about this machine before it answers anyone: the
// hardware machine key (with tolerance against the enrolled set, which it
// rolls forward), its fingerprint, and the installation's instance ID.
#ifndef GG_SERVICE_MACHINE_IDENTITY_H_
#define GG_SERVICE_MACHINE_IDENTITY_H_

#include <string>

#include "agent/store/verdict_store.h"
#include "hwid/collector.h"
#include "platform/result.h"

namespace gg::service {

struct MachineIdentity {
  std::string machine_key;  // never logged or shown
  std::string fingerprint;  // what `status` shows
  std::string instance_id;
};

// Reconciles `collection` with the enrollment in `store`, stores the new
// enrollment and, on first run, a new instance ID. Errors: HWID_NO_PARTS when
// no part is readable (the agent must refuse to start), HWID_NO_RIGHTS when
// the parts it may not read (permission denied) decide a mismatch, store
// failures.
// Blocking (disk): call before the event loop runs.
[[nodiscard]] Result<MachineIdentity> EstablishIdentity(
    store::VerdictStore& store,
    const hwid::Collection& collection,
    double match_threshold);

}  // namespace gg::service

#endif  // GG_SERVICE_MACHINE_IDENTITY_H_
