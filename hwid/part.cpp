#include "hwid/part.h"

#include <algorithm>

namespace gg::hwid {

std::string_view KindName(PartKind kind) {
  switch (kind) {
    case PartKind::kFirmwareUuid:
      return "firmware_uuid";
    case PartKind::kBoardSerial:
      return "board_serial";
    case PartKind::kProductSerial:
      return "product_serial";
    case PartKind::kOsInstall:
      return "os_install";
    case PartKind::kNic:
      return "nic";
    case PartKind::kDisk:
      return "disk";
  }
  return "unknown";
}

std::optional<PartKind> KindFromName(std::string_view name) {
  for (PartKind kind : kAllKinds) {
    if (KindName(kind) == name)
      return kind;
  }
  return std::nullopt;
}

int KindWeight(PartKind kind) {
  switch (kind) {
    case PartKind::kFirmwareUuid:
      return 3;
    case PartKind::kBoardSerial:
    case PartKind::kProductSerial:
    case PartKind::kOsInstall:
      return 2;
    case PartKind::kNic:
    case PartKind::kDisk:
      return 1;
  }
  return 0;
}

bool IsCoreKind(PartKind kind) {
  return kind != PartKind::kNic && kind != PartKind::kDisk;
}

std::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kAbsent:
      return "absent";
    case SkipReason::kPlaceholder:
      return "placeholder";
    case SkipReason::kNeedsRoot:
      return "needs root";
    case SkipReason::kUnreadable:
      return "unreadable";
  }
  return "unknown";
}

bool Collection::HasKind(PartKind kind) const {
  return std::any_of(parts.begin(), parts.end(),
                     [kind](const Part& p) { return p.kind == kind; });
}

}  // namespace gg::hwid
