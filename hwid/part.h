// Hardware ID parts: the vocabulary shared by the parsers, the per-OS
// collectors, the machine key, tolerance and the `gg-agent hwid` report.
//
// A Part holds a NORMALISED value (trimmed, lower-cased, never a
// placeholder). Values are raw hardware serials and MACs: they must never be
// logged or printed; only their digests (machine_key.h) leave this module.
#ifndef GG_HWID_PART_H_
#define GG_HWID_PART_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gg::hwid {

// The kinds of spec/agent.md §5, in the order reports list them.
enum class PartKind {
  kFirmwareUuid,
  kBoardSerial,
  kProductSerial,
  kOsInstall,
  kNic,
  kDisk,
};

inline constexpr PartKind kAllKinds[] = {
    PartKind::kFirmwareUuid, PartKind::kBoardSerial, PartKind::kProductSerial,
    PartKind::kOsInstall,    PartKind::kNic,         PartKind::kDisk};

// At most this many parts of a multi-valued kind (nic, disk) are used.
inline constexpr std::size_t kMaxPartsPerMultiKind = 2;

// "firmware_uuid", "board_serial", "product_serial", "os_install", "nic",
// "disk": the strings hashed into part digests (never change them).
std::string_view KindName(PartKind kind);
std::optional<PartKind> KindFromName(std::string_view name);
// 3 for the firmware UUID, 2 for the other core parts, 1 for nic and disk.
int KindWeight(PartKind kind);
// Core parts: firmware UUID, firmware serials, OS install.
bool IsCoreKind(PartKind kind);

struct Part {
  PartKind kind;
  std::string value;  // normalised; SECRET-ish: never log or print
  std::string
      source;  // where it was read, e.g. "/sys/class/dmi/id/board_serial"
};

// Why a part could not be used. Placeholders are absent, never "changed".
enum class SkipReason {
  kAbsent,       // the file/key/property does not exist or is empty
  kPlaceholder,  // a known placeholder value (spec/agent.md §5)
  kNeedsRoot,    // permission denied: readable only by root/Administrator
  kUnreadable,   // any other read or parse failure
};

std::string_view SkipReasonName(SkipReason reason);

struct Skipped {
  PartKind kind;
  std::string source;
  SkipReason reason;
};

// What one collection run found: the usable parts and what was skipped.
struct Collection {
  std::vector<Part> parts;
  std::vector<Skipped> skipped;

  // True when at least one usable part of `kind` was read.
  bool HasKind(PartKind kind) const;
};

}  // namespace gg::hwid

#endif  // GG_HWID_PART_H_
