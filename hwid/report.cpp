#include "hwid/report.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwid/machine_key.h"

namespace gg::hwid {
namespace {

int KindOrder(PartKind kind) {
  return static_cast<int>(kind);
}

struct Row {
  PartKind kind;
  std::string source;
  bool readable = false;
  std::optional<bool> matched;  // nullopt: nothing enrolled / not readable
  std::string value;            // masked
  std::string skip_reason;
};

std::vector<Row> BuildRows(const Collection& collection,
                           const ReconcileResult& r,
                           bool have_enrollment) {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < collection.parts.size(); ++i) {
    const Part& p = collection.parts[i];
    Row row{p.kind, p.source, true, std::nullopt, MaskPartValue(p.value), ""};
    if (have_enrollment)
      row.matched = r.part_matched[i];
    rows.push_back(std::move(row));
  }
  for (const Skipped& s : collection.skipped) {
    rows.push_back({s.kind, s.source, false, std::nullopt, "",
                    std::string(SkipReasonName(s.reason))});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return KindOrder(a.kind) < KindOrder(b.kind);
  });
  return rows;
}

std::vector<std::string> KindNames(const std::vector<PartKind>& kinds) {
  std::vector<std::string> out;
  for (PartKind kind : kinds)
    out.emplace_back(KindName(kind));
  return out;
}

std::string OutcomeName(ReconcileOutcome outcome) {
  switch (outcome) {
    case ReconcileOutcome::kFirstEnrollment:
      return "none";
    case ReconcileOutcome::kMatched:
      return "matched";
    case ReconcileOutcome::kChanged:
      return "changed";
  }
  return "unknown";
}

std::vector<std::string> NeedsRoot(const Collection& collection) {
  std::vector<std::string> out;
  for (const Skipped& s : collection.skipped) {
    if (s.reason == SkipReason::kNeedsRoot)
      out.push_back(s.source);
  }
  return out;
}

std::string Pad(std::string s, std::size_t width) {
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string MaskPartValue(std::string_view value) {
  return "****(" + std::to_string(value.size()) + ")";
}

Result<std::string> FormatHwidReport(const Collection& collection,
                                     const std::optional<Enrollment>& enrolled,
                                     std::string_view product_id,
                                     const ReportOptions& options) {
  auto reconciled = Reconcile(enrolled, collection.parts, options.threshold);
  if (!reconciled) {
    std::string skipped;
    for (const Skipped& s : collection.skipped) {
      skipped += "\n  " + std::string(KindName(s.kind)) + " " + s.source +
                 ": " + std::string(SkipReasonName(s.reason));
    }
    return MakeError(reconciled.error().code,
                     reconciled.error().message +
                         (skipped.empty() ? "" : "; skipped:" + skipped));
  }
  const ReconcileResult& r = *reconciled;
  auto fingerprint = MachineFingerprint(r.machine_key);
  if (!fingerprint)
    return tl::unexpected(fingerprint.error());
  std::optional<std::string> product_hwid;
  if (!product_id.empty()) {
    auto id = ProductHwid(r.machine_key, product_id);
    if (!id)
      return tl::unexpected(id.error());
    product_hwid = *id;
  }
  const std::vector<std::string> needs_root = NeedsRoot(collection);
  const std::vector<PartKind> denied = DeniedAbsentKinds(r, collection);
  // Unknown, not "changed": the parts this run cannot read might match.
  const bool unknown =
      (r.outcome == ReconcileOutcome::kChanged && !denied.empty()) ||
      (!enrolled && options.enrollment_unreadable);
  const std::vector<Row> rows = BuildRows(collection, r, enrolled.has_value());

  if (options.json) {
    nlohmann::json j;
    j["fingerprint"] = *fingerprint;
    if (product_hwid) {
      j["productId"] = std::string(product_id);
      j["hwid"] = *product_hwid;
    }
    j["enrollment"] = unknown ? "unknown" : OutcomeName(r.outcome);
    j["changedKinds"] = KindNames(r.changed_kinds);
    j["absentKinds"] = KindNames(r.absent_kinds);
    j["unreadableEnrolledKinds"] = KindNames(denied);
    if (enrolled) {
      j["matchedWeight"] = r.matched_weight;
      j["enrolledWeight"] = r.enrolled_weight;
    }
    j["needsRoot"] = needs_root;
    if (options.components) {
      nlohmann::json parts = nlohmann::json::array();
      for (const Row& row : rows) {
        nlohmann::json p = {{"kind", std::string(KindName(row.kind))},
                            {"source", row.source},
                            {"weight", KindWeight(row.kind)},
                            {"core", IsCoreKind(row.kind)},
                            {"readable", row.readable}};
        p["matched"] = row.matched ? nlohmann::json(*row.matched)
                                   : nlohmann::json(nullptr);
        if (row.readable)
          p["value"] = row.value;
        else
          p["skipped"] = row.skip_reason;
        parts.push_back(std::move(p));
      }
      j["components"] = std::move(parts);
    }
    return j.dump(2) + "\n";
  }

  std::string out = "fingerprint: " + *fingerprint + "\n";
  if (product_hwid)
    out += "hwid (" + std::string(product_id) + "): " + *product_hwid + "\n";
  switch (r.outcome) {
    case ReconcileOutcome::kFirstEnrollment:
      if (options.enrollment_unreadable) {
        out +=
            "enrollment: cannot be checked with these rights: the stored set "
            "is not readable (run it as root or as the agent's user)\n";
        break;
      }
      out += "enrollment: none stored (this set would be enrolled)\n";
      break;
    case ReconcileOutcome::kMatched:
      out += "enrollment: matches the stored set (weight " +
             std::to_string(r.matched_weight) + " of " +
             std::to_string(r.enrolled_weight) + ")\n";
      break;
    case ReconcileOutcome::kChanged:
      if (unknown) {
        out += "enrollment: cannot be checked with these rights: " +
               JoinKinds(denied) +
               " need root (the service reads them); without them weight " +
               std::to_string(r.matched_weight) + " of " +
               std::to_string(r.enrolled_weight) +
               " would not match. Run it as root for the service's answer\n";
        break;
      }
      out += "enrollment: does NOT match the stored set (weight " +
             std::to_string(r.matched_weight) + " of " +
             std::to_string(r.enrolled_weight) + ")";
      if (!r.changed_kinds.empty())
        out += "; changed: " + JoinKinds(r.changed_kinds);
      if (!r.absent_kinds.empty())
        out += "; not readable now: " + JoinKinds(r.absent_kinds);
      out += "; `run` would enroll a new machine key\n";
      break;
  }
  if (options.components) {
    out += "\n" + Pad("KIND", 15) + Pad("WEIGHT", 8) + Pad("READABLE", 10) +
           Pad("MATCHED", 9) + Pad("VALUE", 12) + "SOURCE\n";
    for (const Row& row : rows) {
      std::string matched =
          row.matched ? (*row.matched ? "yes" : "no") : std::string("-");
      std::string readable = row.readable ? "yes" : "no";
      std::string value =
          row.readable ? row.value : "(" + row.skip_reason + ")";
      out += Pad(std::string(KindName(row.kind)), 15) +
             Pad(std::to_string(KindWeight(row.kind)), 8) + Pad(readable, 10) +
             Pad(matched, 9) + Pad(value, 12) + row.source + "\n";
    }
  }
  if (!needs_root.empty()) {
    out += "note: " + std::to_string(needs_root.size()) +
           " part(s) need root and were skipped:";
    for (const std::string& source : needs_root)
      out += " " + source;
    out += "\n";
  }
  return out;
}

}  // namespace gg::hwid
