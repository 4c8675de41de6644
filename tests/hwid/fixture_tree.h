// Builds fake Linux roots in a temp directory for the collector tests, laid
// out like real sysfs: /sys/class/net/X and /sys/block/X are relative
// symlinks into /sys/devices, and each has a `device` symlink to its parent.
#ifndef GG_TESTS_HWID_FIXTURE_TREE_H_
#define GG_TESTS_HWID_FIXTURE_TREE_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace gg::hwid::testing {

class FixtureTree {
 public:
  FixtureTree();
  ~FixtureTree();
  FixtureTree(const FixtureTree&) = delete;
  FixtureTree& operator=(const FixtureTree&) = delete;

  const std::filesystem::path& root() const { return root_; }

  // `logical` is the path on a real system, e.g. "/etc/machine-id".
  void Write(std::string_view logical,
             std::string_view content,
             mode_t mode = 0644);
  // A relative symlink at `logical_link` pointing at `logical_target`.
  void Link(std::string_view logical_link, std::string_view logical_target);

  void Dmi(std::string_view uuid,
           std::string_view board_serial,
           std::string_view product_serial);
  void MachineId(std::string_view id) { Write("/etc/machine-id", id); }

  // A network interface `name` of the device at `device_dir` (a /sys/devices
  // path); `device_dir` empty makes a virtual one under
  // /sys/devices/virtual/net.
  void Nic(std::string_view name,
           std::string_view device_dir,
           std::string_view mac,
           int addr_assign_type = 0);
  // A block device `name` whose sysfs directory is `block_dir` and whose
  // `device` link points at `device_dir` (none when empty).
  void Disk(std::string_view name,
            std::string_view block_dir,
            std::string_view device_dir,
            bool removable = false);

  // The common layouts.
  void NvmeDisk(std::string_view name,
                std::string_view pci,
                std::string_view serial);
  void SataDisk(std::string_view name,
                std::string_view pci_host,
                std::string_view serial);  // VPD page 0x80, mode 0400
  void VirtioDisk(std::string_view name,
                  std::string_view pci,
                  std::string_view serial);
  void UsbDisk(std::string_view name, std::string_view serial);
  void LoopDevices();  // loop0, zram0, dm-0: never disks
  void UsbNic(std::string_view name, std::string_view mac);

  // A laptop-like machine: DMI, machine-id, onboard NIC + Wi-Fi, NVMe + SATA
  // disks, docker0/veth/loop noise. Values below.
  void BareMetal();
  static constexpr std::string_view kUuid =
      "4C4C4544-0042-3510-8052-B4C04F395A32";
  static constexpr std::string_view kBoardSerial = "/F5ZY2Z2/CNFCW0083B00AD/";
  static constexpr std::string_view kProductSerial = "F5ZY2Z2";
  static constexpr std::string_view kMachineId =
      "7d0b8a4e2f6c4b1e9a3d5c7e9f1a2b3c";
  static constexpr std::string_view kEthMac = "8C:EC:4B:12:34:56";
  static constexpr std::string_view kWifiMac = "F8:AC:65:AB:CD:EF";
  static constexpr std::string_view kNvmeSerial = "S4EWNF0M812345A";
  static constexpr std::string_view kSataSerial = "WD-WX11A12B3C4D";
  static constexpr const char* kPciEth = "/sys/devices/pci0000:00/0000:00:1f.6";
  static constexpr const char* kPciWifi =
      "/sys/devices/pci0000:00/0000:00:14.3";

 private:
  std::filesystem::path Real(std::string_view logical) const;
  std::filesystem::path root_;
};

}  // namespace gg::hwid::testing

#endif  // GG_TESTS_HWID_FIXTURE_TREE_H_
