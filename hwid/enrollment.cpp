#include "hwid/enrollment.h"

#include <algorithm>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "hwid/machine_key.h"

namespace gg::hwid {
namespace {

constexpr int kEnrollmentVersion = 1;
constexpr std::size_t kDigestHexChars = 64;
// Thresholds are fractions; a tiny slack keeps 0.6 * 10 from missing 6.
constexpr double kWeightEpsilon = 1e-9;

bool IsDigestHex(const std::string& s) {
  return s.size() == kDigestHexChars &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

tl::unexpected<Error> Bad(const std::string& what) {
  return MakeError(ErrorCode::kHwidEnrollment,
                   "stored hardware enrollment: " + what);
}

}  // namespace

std::string EnrollmentToJson(const Enrollment& enrollment) {
  nlohmann::json parts = nlohmann::json::array();
  for (const EnrolledPart& p : enrollment.parts) {
    parts.push_back({{"kind", std::string(KindName(p.kind))},
                     {"digest", p.digest},
                     {"weight", p.weight}});
  }
  nlohmann::json j = {{"version", kEnrollmentVersion},
                      {"machineKey", enrollment.machine_key},
                      {"parts", std::move(parts)}};
  return j.dump();
}

Result<Enrollment> EnrollmentFromJson(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Bad("not a JSON object");
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer() ||
      version->get<int>() != kEnrollmentVersion)
    return Bad("unsupported version");
  auto key = j.find("machineKey");
  if (key == j.end() || !key->is_string() ||
      !IsDigestHex(key->get<std::string>()))
    return Bad("bad machineKey");
  auto parts = j.find("parts");
  if (parts == j.end() || !parts->is_array() || parts->empty())
    return Bad("no parts");
  Enrollment out;
  out.machine_key = key->get<std::string>();
  for (const nlohmann::json& p : *parts) {
    if (!p.is_object())
      return Bad("part is not an object");
    auto kind = p.find("kind");
    auto digest = p.find("digest");
    auto weight = p.find("weight");
    if (kind == p.end() || !kind->is_string() || digest == p.end() ||
        !digest->is_string() || weight == p.end() ||
        !weight->is_number_integer())
      return Bad("part lacks kind, digest or weight");
    auto parsed_kind = KindFromName(kind->get<std::string>());
    if (!parsed_kind)
      return Bad("unknown part kind");
    if (!IsDigestHex(digest->get<std::string>()))
      return Bad("bad part digest");
    int w = weight->get<int>();
    if (w <= 0)
      return Bad("bad part weight");
    out.parts.push_back({*parsed_kind, digest->get<std::string>(), w});
  }
  return out;
}

Result<ReconcileResult> Reconcile(const std::optional<Enrollment>& enrolled,
                                  const std::vector<Part>& current,
                                  double threshold) {
  if (current.empty()) {
    return MakeError(ErrorCode::kHwidNoParts,
                     "no hardware part is readable: refusing to form an "
                     "empty or constant hardware ID");
  }
  ReconcileResult r;
  std::vector<std::string> digests;
  std::set<PartKind> present_kinds;
  for (const Part& part : current) {
    auto digest = PartDigest(part.kind, part.value);
    if (!digest)
      return tl::unexpected(digest.error());
    digests.push_back(*digest);
    present_kinds.insert(part.kind);
    r.enrollment.parts.push_back({part.kind, *digest, KindWeight(part.kind)});
  }
  auto fresh_key = MachineKeyFromDigests(digests);
  if (!fresh_key)
    return tl::unexpected(fresh_key.error());

  std::set<std::string> enrolled_digests;
  std::set<PartKind> changed;
  std::set<PartKind> absent;
  if (enrolled) {
    for (const EnrolledPart& p : enrolled->parts) {
      enrolled_digests.insert(p.digest);
      r.enrolled_weight += p.weight;
      if (present_kinds.count(p.kind) == 0) {
        // Absent now: its weight counts against a match, but it is not
        // named as changed.
        absent.insert(p.kind);
        r.absent_weight += p.weight;
        continue;
      }
      bool still_there =
          std::find(digests.begin(), digests.end(), p.digest) != digests.end();
      if (still_there) {
        r.matched_weight += p.weight;
        r.core_matched = r.core_matched || IsCoreKind(p.kind);
      } else {
        changed.insert(p.kind);
      }
    }
  }
  for (std::size_t i = 0; i < current.size(); ++i) {
    bool known = enrolled_digests.count(digests[i]) != 0;
    r.part_matched.push_back(known);
    // A new part of a kind that was enrolled is a change of that kind too.
    if (enrolled && !known &&
        std::any_of(
            enrolled->parts.begin(), enrolled->parts.end(),
            [&](const EnrolledPart& p) { return p.kind == current[i].kind; }))
      changed.insert(current[i].kind);
  }
  for (PartKind kind : kAllKinds) {
    if (changed.count(kind) != 0)
      r.changed_kinds.push_back(kind);
    if (absent.count(kind) != 0)
      r.absent_kinds.push_back(kind);
  }

  if (!enrolled) {
    r.outcome = ReconcileOutcome::kFirstEnrollment;
    r.machine_key = *fresh_key;
  } else if (r.core_matched && r.enrolled_weight > 0 &&
             r.matched_weight + kWeightEpsilon >=
                 threshold * r.enrolled_weight) {
    r.outcome = ReconcileOutcome::kMatched;
    r.machine_key = enrolled->machine_key;
  } else {
    r.outcome = ReconcileOutcome::kChanged;
    r.machine_key = *fresh_key;
  }
  r.enrollment.machine_key = r.machine_key;
  return r;
}

std::vector<PartKind> DeniedAbsentKinds(const ReconcileResult& result,
                                        const Collection& collection) {
  std::vector<PartKind> out;
  for (PartKind kind : result.absent_kinds) {
    if (std::any_of(collection.skipped.begin(), collection.skipped.end(),
                    [kind](const Skipped& s) {
                      return s.kind == kind &&
                             s.reason == SkipReason::kNeedsRoot;
                    }))
      out.push_back(kind);
  }
  return out;
}

std::string JoinKinds(const std::vector<PartKind>& kinds) {
  std::string out;
  for (PartKind kind : kinds) {
    if (!out.empty())
      out += ", ";
    out += KindName(kind);
  }
  return out;
}

std::optional<std::string> ChangeWarning(const ReconcileResult& result) {
  if (result.outcome != ReconcileOutcome::kChanged)
    return std::nullopt;
  std::string what;
  if (!result.changed_kinds.empty())
    what = "changed: " + JoinKinds(result.changed_kinds);
  if (!result.absent_kinds.empty())
    what += (what.empty() ? "" : "; ") +
            ("not readable now: " + JoinKinds(result.absent_kinds));
  if (what.empty())
    what = "no core part matched";
  return "hardware changed (" + what + "): matched weight " +
         std::to_string(result.matched_weight) + " of " +
         std::to_string(result.enrolled_weight) + ", enrolled as a new machine";
}

}  // namespace gg::hwid
