#include "service/machine_identity.h"

#include <spdlog/spdlog.h>

#include "hwid/enrollment.h"
#include "hwid/instance_id.h"
#include "hwid/machine_key.h"

namespace gg::service {
namespace {

Result<std::string> LoadOrCreateInstanceId(store::VerdictStore& store) {
  const std::string name(hwid::kInstanceIdStateKey);
  auto stored = store.GetState(name);
  if (!stored)
    return tl::unexpected(stored.error());
  if (stored->has_value() && hwid::IsValidInstanceId(**stored))
    return **stored;
  if (stored->has_value())
    spdlog::warn("stored instance ID is malformed; making a new one");
  auto id = hwid::NewInstanceId();
  if (!id)
    return id;
  if (auto put = store.PutState(name, *id); !put)
    return tl::unexpected(put.error());
  return id;
}

}  // namespace

Result<MachineIdentity> EstablishIdentity(store::VerdictStore& store,
                                          const hwid::Collection& collection,
                                          double match_threshold) {
  const std::string enrollment_name(hwid::kEnrollmentStateKey);
  auto stored = store.GetState(enrollment_name);
  if (!stored)
    return tl::unexpected(stored.error());
  std::optional<hwid::Enrollment> enrolled;
  if (stored->has_value()) {
    auto parsed = hwid::EnrollmentFromJson(**stored);
    if (parsed)
      enrolled = std::move(*parsed);
    else
      spdlog::warn("stored hardware enrollment unreadable ({}); enrolling anew",
                   parsed.error().message);
  }
  auto result = hwid::Reconcile(enrolled, collection.parts, match_threshold);
  if (!result)
    return tl::unexpected(result.error());
  // Enrolling anew because this process may not read enrolled parts would
  // change the machine's hwid for a misconfiguration: refuse instead.
  if (const auto denied = hwid::DeniedAbsentKinds(*result, collection);
      result->outcome == hwid::ReconcileOutcome::kChanged && !denied.empty())
    return MakeError(
        ErrorCode::kHwidNoRights,
        "cannot read the enrolled hardware parts " + hwid::JoinKinds(denied) +
            " (permission denied): run the agent with CAP_DAC_READ_SEARCH "
            "(the shipped unit's AmbientCapabilities=) or as root; not "
            "enrolling this machine anew");
  if (auto warning = hwid::ChangeWarning(*result))
    spdlog::warn("{}", *warning);
  if (auto put = store.PutState(enrollment_name,
                                hwid::EnrollmentToJson(result->enrollment));
      !put)
    return tl::unexpected(put.error());

  auto fingerprint = hwid::MachineFingerprint(result->machine_key);
  if (!fingerprint)
    return tl::unexpected(fingerprint.error());
  auto instance_id = LoadOrCreateInstanceId(store);
  if (!instance_id)
    return tl::unexpected(instance_id.error());
  spdlog::info("machine fingerprint {} ({} hardware parts), instance {}",
               *fingerprint, collection.parts.size(), *instance_id);
  return MachineIdentity{result->machine_key, *fingerprint, *instance_id};
}

}  // namespace gg::service
