// Linux collector: sysfs and machine-id files, all read under
// CollectOptions::root. Filters of spec/agent.md §5 for NICs and disks.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "hwid/collector.h"
#include "hwid/normalize.h"

namespace gg::hwid {
namespace {

namespace fs = std::filesystem;

// sysfs attributes are small; a bigger file is not what we expect.
constexpr std::size_t kMaxAttributeBytes = 4096;

enum class ReadStatus { kOk, kAbsent, kDenied, kError };

struct ReadResult {
  ReadStatus status = ReadStatus::kError;
  std::string data;
};

// open/read so that EACCES (not root) is told apart from ENOENT.
ReadResult ReadAttribute(const fs::path& path) {
  ReadResult r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.status = (errno == ENOENT || errno == ENOTDIR) ? ReadStatus::kAbsent
               : (errno == EACCES || errno == EPERM) ? ReadStatus::kDenied
                                                     : ReadStatus::kError;
    return r;
  }
  char buffer[kMaxAttributeBytes];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      r.status = (errno == EACCES || errno == EPERM) ? ReadStatus::kDenied
                                                     : ReadStatus::kError;
      r.data.clear();
      break;
    }
    if (n == 0) {
      r.status = ReadStatus::kOk;
      break;
    }
    r.data.append(buffer, static_cast<std::size_t>(n));
    if (r.data.size() > kMaxAttributeBytes) {
      r.status = ReadStatus::kError;
      r.data.clear();
      break;
    }
  }
  if (::close(fd) != 0 && r.status == ReadStatus::kOk)
    r.status = ReadStatus::kError;
  return r;
}

SkipReason ReasonOf(ReadStatus status) {
  switch (status) {
    case ReadStatus::kAbsent:
      return SkipReason::kAbsent;
    case ReadStatus::kDenied:
      return SkipReason::kNeedsRoot;
    case ReadStatus::kOk:
    case ReadStatus::kError:
      break;
  }
  return SkipReason::kUnreadable;
}

class LinuxCollector {
 public:
  explicit LinuxCollector(const fs::path& root) : root_(root) {
    std::error_code ec;
    fs::path canonical = fs::canonical(root_, ec);
    if (!ec)
      canonical_root_ = canonical;
    else
      canonical_root_ = root_;
  }

  Collection Run() {
    ReadDmi(PartKind::kFirmwareUuid, "product_uuid");
    ReadDmi(PartKind::kBoardSerial, "board_serial");
    ReadDmi(PartKind::kProductSerial, "product_serial");
    ReadOsInstall();
    ReadNics();
    ReadDisks();
    LimitKind(&out_, PartKind::kNic, kMaxPartsPerMultiKind);
    LimitKind(&out_, PartKind::kDisk, kMaxPartsPerMultiKind);
    for (const Skipped& s : out_.skipped) {
      spdlog::debug("hwid: {} skipped ({}): {}", KindName(s.kind),
                    SkipReasonName(s.reason), s.source);
    }
    return std::move(out_);
  }

 private:
  // `logical` is the absolute path on a real system ("/sys/...").
  fs::path Under(std::string_view logical) const {
    return root_ / fs::path(logical).relative_path();
  }

  // The logical path ("/sys/devices/...") `path` resolves to (symlinks
  // followed), empty when it cannot be resolved.
  std::string Resolve(const fs::path& path) const {
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    if (ec)
      return {};
    return "/" + real.lexically_relative(canonical_root_).generic_string();
  }

  // Reads one attribute into a part or a Skipped entry; true for a part.
  bool ReadInto(PartKind kind, std::string_view logical) {
    ReadResult r = ReadAttribute(Under(logical));
    if (r.status != ReadStatus::kOk) {
      out_.skipped.push_back({kind, std::string(logical), ReasonOf(r.status)});
      return false;
    }
    std::size_t before = out_.parts.size();
    AddValue(&out_, kind, std::string(logical), r.data);
    return out_.parts.size() != before;
  }

  void ReadDmi(PartKind kind, std::string_view name) {
    ReadInto(kind, "/sys/class/dmi/id/" + std::string(name));
  }

  // /etc/machine-id, else the D-Bus copy; a skip is listed only when both
  // fail.
  void ReadOsInstall() {
    std::size_t skipped_before = out_.skipped.size();
    if (ReadInto(PartKind::kOsInstall, "/etc/machine-id"))
      return;
    if (ReadInto(PartKind::kOsInstall, "/var/lib/dbus/machine-id"))
      out_.skipped.resize(skipped_before);
  }

  static bool HasUsbBus(std::string_view logical) {
    for (const auto& component : fs::path(logical)) {
      std::string c = component.string();
      if (c.size() > 3 && c.compare(0, 3, "usb") == 0 &&
          c.find_first_not_of("0123456789", 3) == std::string::npos)
        return true;
    }
    return false;
  }

  static bool StartsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
  }

  std::vector<std::string> ListDir(std::string_view logical) const {
    std::vector<std::string> names;
    std::error_code ec;
    fs::directory_iterator it(Under(logical), ec);
    if (ec)
      return names;
    for (const auto& entry : it)
      names.push_back(entry.path().filename().string());
    return names;
  }

  // Physical NICs only: a device behind it, not virtual, a permanent
  // address (addr_assign_type 0), not on USB (docks, tethering), not a bond.
  void ReadNics() {
    for (const std::string& name : ListDir("/sys/class/net")) {
      const std::string logical = "/sys/class/net/" + name;
      const fs::path dir = Under(logical);
      std::error_code ec;
      std::string why;
      std::string resolved = Resolve(dir);
      std::string device = Resolve(dir / "device");
      if (resolved.empty() || StartsWith(resolved, "/sys/devices/virtual/"))
        why = "virtual";
      else if (device.empty())
        why = "no device";
      else if (fs::exists(dir / "bonding", ec))
        why = "bond";
      else if (HasUsbBus(device))
        why = "usb";
      else if (NormalizeValue(ReadAttribute(dir / "addr_assign_type").data) !=
               "0")
        why = "address not permanent";
      if (!why.empty()) {
        spdlog::debug("hwid: nic {} filtered: {}", name, why);
        continue;
      }
      // An enslaved card shows the bond's address; its own is perm_hwaddr.
      std::string source = logical + "/bonding_slave/perm_hwaddr";
      ReadResult r = ReadAttribute(Under(source));
      if (r.status == ReadStatus::kAbsent) {
        source = logical + "/address";
        r = ReadAttribute(Under(source));
      }
      if (r.status != ReadStatus::kOk) {
        out_.skipped.push_back({PartKind::kNic, source, ReasonOf(r.status)});
        continue;
      }
      auto mac = NormalizeMac(r.data);
      if (!mac) {
        // InfiniBand and other non-Ethernet links: not a NIC part.
        spdlog::debug("hwid: nic {} filtered: not an EUI-48 address", name);
        continue;
      }
      AddValue(&out_, PartKind::kNic, source, *mac);
    }
  }

  static bool IsSkippedDiskName(std::string_view name) {
    for (std::string_view prefix :
         {"loop", "ram", "zram", "dm-", "md", "nbd", "sr"}) {
      if (StartsWith(name, prefix))
        return true;
    }
    return false;
  }

  // Non-removable disks: NVMe and others expose device/serial, virtio
  // exposes serial, SCSI/SATA the VPD page 0x80 (root only).
  void ReadDisks() {
    for (const std::string& name : ListDir("/sys/block")) {
      const std::string logical = "/sys/block/" + name;
      const fs::path dir = Under(logical);
      std::string why;
      if (IsSkippedDiskName(name))
        why = "virtual or optical";
      else if (NormalizeValue(ReadAttribute(dir / "removable").data) == "1")
        why = "removable";
      else if (HasUsbBus(Resolve(dir)))
        why = "usb";
      if (!why.empty()) {
        spdlog::debug("hwid: disk {} filtered: {}", name, why);
        continue;
      }
      ReadDiskSerial(logical);
    }
  }

  void ReadDiskSerial(const std::string& logical) {
    ReadStatus worst = ReadStatus::kAbsent;
    std::string worst_source = logical + "/device/serial";
    for (std::string_view leaf : {"/device/serial", "/serial"}) {
      std::string source = logical + std::string(leaf);
      ReadResult r = ReadAttribute(Under(source));
      if (r.status == ReadStatus::kOk) {
        AddValue(&out_, PartKind::kDisk, source, r.data);
        return;
      }
      if (r.status != ReadStatus::kAbsent && worst == ReadStatus::kAbsent) {
        worst = r.status;
        worst_source = source;
      }
    }
    std::string source = logical + "/device/vpd_pg80";
    ReadResult r = ReadAttribute(Under(source));
    if (r.status == ReadStatus::kOk) {
      auto serial = ParseVpdPage80(r.data);
      if (serial) {
        AddValue(&out_, PartKind::kDisk, source, *serial);
        return;
      }
      worst = ReadStatus::kError;
      worst_source = source;
    } else if (r.status != ReadStatus::kAbsent) {
      worst = r.status;
      worst_source = source;
    }
    out_.skipped.push_back({PartKind::kDisk, worst_source, ReasonOf(worst)});
  }

  fs::path root_;
  fs::path canonical_root_;
  Collection out_;
};

}  // namespace

Collection CollectParts(const CollectOptions& options) {
  return LinuxCollector(options.root).Run();
}

}  // namespace gg::hwid
