// Tolerance (spec/agent.md §5): the enrolled set of parts, kept by the agent
// as the state value "hwid.enrollment" (JSON; hwid/ does no storage), and
// the pure Reconcile() that decides whether this is still the same machine.
//
// Rule: the enrolled parts that still match carry at least `threshold` of
// the whole enrolled weight AND at least one core part matches ->
// the machine key is kept and the enrollment rolls forward to the current
// set (so slow drift never adds up to a new machine). Otherwise a new key
// and enrollment are formed and the kinds that changed are named.
//
// The threshold is of the WHOLE enrolled weight: an enrolled part that is
// not read now (missing, a placeholder, or unreadable without root) carries
// none of it, so a copy of the state and /etc/machine-id into a container
// with no DMI, NICs or disks is not the same machine. Absent is still not
// *changed*: such kinds are listed in `absent_kinds`, never in
// `changed_kinds`, so the warning names only parts that really differ.
// Reading fewer parts can only lower the matched weight: a match found with
// some parts unreadable holds with them too, a mismatch may not (the
// `hwid` report says so).
#ifndef GG_HWID_ENROLLMENT_H_
#define GG_HWID_ENROLLMENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwid/part.h"
#include "platform/result.h"

namespace gg::hwid {

inline constexpr std::string_view kEnrollmentStateKey = "hwid.enrollment";
inline constexpr double kDefaultMatchThreshold = 0.6;

struct EnrolledPart {
  PartKind kind;
  std::string digest;  // PartDigest(kind, value): never the value itself
  int weight = 0;
};

struct Enrollment {
  std::string machine_key;
  std::vector<EnrolledPart> parts;
};

// {"version":1,"machineKey":"<hex>","parts":[{"kind":"disk","digest":"<hex>",
// "weight":1},...]}
std::string EnrollmentToJson(const Enrollment& enrollment);
// Strict: unknown kinds, malformed hex or a wrong version are errors (code
// "HWID_ENROLLMENT"); the agent then enrolls afresh.
[[nodiscard]] Result<Enrollment> EnrollmentFromJson(std::string_view json);

enum class ReconcileOutcome {
  kFirstEnrollment,  // nothing enrolled before
  kMatched,          // same machine: key kept, set rolled forward
  kChanged,          // a new machine key and a new enrollment
};

struct ReconcileResult {
  ReconcileOutcome outcome = ReconcileOutcome::kFirstEnrollment;
  std::string machine_key;
  Enrollment enrollment;  // what `run` stores (the `hwid` command never does)
  // Kinds whose enrolled parts differ from the current ones (both present),
  // in kAllKinds order. Absent kinds are never listed.
  std::vector<PartKind> changed_kinds;
  // Enrolled kinds with no part read now, in kAllKinds order.
  std::vector<PartKind> absent_kinds;
  // Parallel to `current`: the part's digest is in the enrolled set.
  std::vector<bool> part_matched;
  int matched_weight = 0;   // enrolled weight still present
  int enrolled_weight = 0;  // the whole enrolled weight
  int absent_weight = 0;    // enrolled weight of the absent kinds
  bool core_matched = false;

  bool matched() const { return outcome == ReconcileOutcome::kMatched; }
};

// Pure. An error (code "HWID_NO_PARTS") when `current` is empty: the agent
// refuses to start rather than send an empty or constant ID.
[[nodiscard]] Result<ReconcileResult> Reconcile(
    const std::optional<Enrollment>& enrolled,
    const std::vector<Part>& current,
    double threshold = kDefaultMatchThreshold);

// The absent enrolled kinds of `result` that `collection` skipped for want
// of rights (SkipReason::kNeedsRoot): with the rights they might match, so
// a mismatch is then not a fact about the machine. Pure.
std::vector<PartKind> DeniedAbsentKinds(const ReconcileResult& result,
                                        const Collection& collection);

// "firmware_uuid, board_serial" for a warning line.
std::string JoinKinds(const std::vector<PartKind>& kinds);

// The warning `run` logs when a new machine key was formed (kChanged),
// naming the changed kinds; nullopt for the other outcomes. Holds no value
// and no key.
std::optional<std::string> ChangeWarning(const ReconcileResult& result);

}  // namespace gg::hwid

#endif  // GG_HWID_ENROLLMENT_H_
