#include "tests/hwid/fixture_tree.h"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "platform/random.h"

namespace gg::hwid::testing {

namespace fs = std::filesystem;

FixtureTree::FixtureTree() {
  auto suffix = RandomHex(6);
  if (!suffix)
    throw std::runtime_error("RandomHex failed");
  root_ = fs::temp_directory_path() / ("gg-hwid-" + *suffix);
  fs::create_directories(root_);
  // Readable by everyone: the not-root test reads it as "nobody".
  fs::permissions(root_, fs::perms(0755));
}

FixtureTree::~FixtureTree() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

fs::path FixtureTree::Real(std::string_view logical) const {
  return root_ / fs::path(logical).relative_path();
}

void FixtureTree::Write(std::string_view logical,
                        std::string_view content,
                        mode_t mode) {
  fs::path p = Real(logical);
  fs::create_directories(p.parent_path());
  {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out)
      throw std::runtime_error("cannot write " + p.string());
  }
  if (::chmod(p.c_str(), mode) != 0)
    throw std::runtime_error("cannot chmod " + p.string());
}

void FixtureTree::Link(std::string_view logical_link,
                       std::string_view logical_target) {
  fs::path link(logical_link);
  fs::path target =
      fs::path(logical_target).lexically_relative(link.parent_path());
  fs::create_directories(Real(logical_link).parent_path());
  fs::create_directories(Real(logical_target));
  // Rebuilding a fixture over another replaces the link.
  fs::remove(Real(logical_link));
  fs::create_directory_symlink(target, Real(logical_link));
}

void FixtureTree::Dmi(std::string_view uuid,
                      std::string_view board_serial,
                      std::string_view product_serial) {
  // As the kernel does: serials and the UUID are root-only, names are not.
  Write("/sys/devices/virtual/dmi/id/product_uuid", std::string(uuid) + "\n",
        0400);
  Write("/sys/devices/virtual/dmi/id/board_serial",
        std::string(board_serial) + "\n", 0400);
  Write("/sys/devices/virtual/dmi/id/product_serial",
        std::string(product_serial) + "\n", 0400);
  Write("/sys/devices/virtual/dmi/id/sys_vendor", "Dell Inc.\n");
  Link("/sys/class/dmi/id", "/sys/devices/virtual/dmi/id");
}

void FixtureTree::Nic(std::string_view name,
                      std::string_view device_dir,
                      std::string_view mac,
                      int addr_assign_type) {
  std::string dir = device_dir.empty()
                        ? "/sys/devices/virtual/net/" + std::string(name)
                        : std::string(device_dir) + "/net/" + std::string(name);
  Write(dir + "/address", std::string(mac) + "\n");
  Write(dir + "/addr_assign_type", std::to_string(addr_assign_type) + "\n");
  if (!device_dir.empty())
    Link(dir + "/device", device_dir);
  Link("/sys/class/net/" + std::string(name), dir);
}

void FixtureTree::Disk(std::string_view name,
                       std::string_view block_dir,
                       std::string_view device_dir,
                       bool removable) {
  Write(std::string(block_dir) + "/removable", removable ? "1\n" : "0\n");
  if (!device_dir.empty())
    Link(std::string(block_dir) + "/device", device_dir);
  Link("/sys/block/" + std::string(name), block_dir);
}

void FixtureTree::NvmeDisk(std::string_view name,
                           std::string_view pci,
                           std::string_view serial) {
  std::string ctrl = std::string(pci) + "/nvme/" +
                     std::string(name.substr(0, name.find('n', 4)));
  Write(ctrl + "/serial", std::string(serial) + "\n");
  Disk(name, ctrl + "/" + std::string(name), ctrl);
}

void FixtureTree::SataDisk(std::string_view name,
                           std::string_view pci_host,
                           std::string_view serial) {
  std::string dev = std::string(pci_host) + "/ata1/host0/target0:0:0/0:0:0:0";
  std::string page("\x00\x80\x00", 3);
  page.push_back(static_cast<char>(serial.size()));
  page.append(serial);
  Write(dev + "/vpd_pg80", page, 0400);
  Disk(name, dev + "/block/" + std::string(name), dev);
}

void FixtureTree::VirtioDisk(std::string_view name,
                             std::string_view pci,
                             std::string_view serial) {
  std::string virtio = std::string(pci) + "/virtio1";
  std::string block = virtio + "/block/" + std::string(name);
  Write(block + "/serial", serial);  // virtio serial has no newline
  Disk(name, block, virtio);
}

void FixtureTree::UsbDisk(std::string_view name, std::string_view serial) {
  std::string dev =
      "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-2/2-2:1.0/host6/"
      "target6:0:0/6:0:0:0";
  std::string page("\x00\x80\x00", 3);
  page.push_back(static_cast<char>(serial.size()));
  page.append(serial);
  Write(dev + "/vpd_pg80", page, 0400);
  Disk(name, dev + "/block/" + std::string(name), dev);
}

void FixtureTree::LoopDevices() {
  Disk("loop0", "/sys/devices/virtual/block/loop0", "");
  Write("/sys/devices/virtual/block/loop0/serial", "LOOPSERIAL1\n");
  Disk("zram0", "/sys/devices/virtual/block/zram0", "");
  Disk("dm-0", "/sys/devices/virtual/block/dm-0", "");
  Write("/sys/devices/virtual/block/dm-0/serial", "DMSERIAL01\n");
}

void FixtureTree::UsbNic(std::string_view name, std::string_view mac) {
  Nic(name, "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0", mac);
}

void FixtureTree::BareMetal() {
  Dmi(kUuid, kBoardSerial, kProductSerial);
  MachineId(std::string(kMachineId) + "\n");
  Nic("eno1", kPciEth, kEthMac);
  Nic("wlp0s20f3", kPciWifi, kWifiMac);
  Nic("lo", "", "00:00:00:00:00:00");
  Nic("docker0", "", "02:42:ac:11:00:01", 3);
  Nic("veth1a2b3c", "", "be:ef:01:02:03:04", 3);
  NvmeDisk("nvme0n1", "/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0",
           kNvmeSerial);
  SataDisk("sda", "/sys/devices/pci0000:00/0000:00:17.0", kSataSerial);
  LoopDevices();
}

}  // namespace gg::hwid::testing
