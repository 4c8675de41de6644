// The Linux collector on fixture trees (spec/agent.md §5 scenarios), the
// tolerance rule applied to what it reads, and a sanity run on this machine.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "hwid/collector.h"
#include "hwid/enrollment.h"
#include "hwid/instance_id.h"
#include "hwid/machine_key.h"
#include "hwid/normalize.h"
#include "hwid/report.h"
#include "tests/hwid/fixture_tree.h"

namespace gg::hwid {
namespace {

using testing::FixtureTree;

Collection Collect(const FixtureTree& tree) {
  return CollectParts(CollectOptions{tree.root()});
}

std::multiset<std::string> KindsOf(const Collection& c) {
  std::multiset<std::string> kinds;
  for (const Part& p : c.parts)
    kinds.insert(std::string(KindName(p.kind)));
  return kinds;
}

bool HasValue(const Collection& c, PartKind kind, std::string_view raw) {
  std::string v = NormalizeValue(raw);
  return std::any_of(c.parts.begin(), c.parts.end(), [&](const Part& p) {
    return p.kind == kind && p.value == v;
  });
}

Enrollment EnrollBareMetal() {
  FixtureTree tree;
  tree.BareMetal();
  auto r = Reconcile(std::nullopt, Collect(tree).parts);
  EXPECT_TRUE(r.has_value());
  return r->enrollment;
}

// Bare metal yields every kind from the right files, and nothing from loop,
// zram, dm, lo, docker0 or veth.
TEST(LinuxCollectorTest, BareMetalReadsEveryKind) {
  FixtureTree tree;
  tree.BareMetal();
  Collection c = Collect(tree);
  EXPECT_EQ(KindsOf(c), (std::multiset<std::string>{
                            "firmware_uuid", "board_serial", "product_serial",
                            "os_install", "nic", "nic", "disk", "disk"}));
  EXPECT_TRUE(HasValue(c, PartKind::kFirmwareUuid, FixtureTree::kUuid));
  EXPECT_TRUE(HasValue(c, PartKind::kBoardSerial, FixtureTree::kBoardSerial));
  EXPECT_TRUE(HasValue(c, PartKind::kOsInstall, FixtureTree::kMachineId));
  EXPECT_TRUE(HasValue(c, PartKind::kNic, FixtureTree::kEthMac));
  EXPECT_TRUE(HasValue(c, PartKind::kNic, FixtureTree::kWifiMac));
  EXPECT_TRUE(HasValue(c, PartKind::kDisk, FixtureTree::kNvmeSerial));
  EXPECT_TRUE(HasValue(c, PartKind::kDisk, FixtureTree::kSataSerial));
  for (const Part& p : c.parts) {
    EXPECT_EQ(p.source.front(), '/') << p.source;
    EXPECT_EQ(p.source.find(tree.root().string()), std::string::npos);
  }
  EXPECT_TRUE(c.skipped.empty());
}

// An NVMe swap plus a USB dock (NIC and disk) keeps the machine key; the
// dock's parts are not read and the changed kind is "disk".
TEST(LinuxCollectorTest, NvmeSwapAndUsbDockKeepTheKey) {
  Enrollment enrolled = EnrollBareMetal();
  FixtureTree tree;
  tree.Dmi(FixtureTree::kUuid, FixtureTree::kBoardSerial,
           FixtureTree::kProductSerial);
  tree.MachineId(FixtureTree::kMachineId);
  tree.Nic("eno1", FixtureTree::kPciEth, FixtureTree::kEthMac);
  tree.Nic("wlp0s20f3", FixtureTree::kPciWifi, FixtureTree::kWifiMac);
  tree.NvmeDisk("nvme0n1", "/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0",
                "S5NEW0R999999Z");
  tree.SataDisk("sda", "/sys/devices/pci0000:00/0000:00:17.0",
                FixtureTree::kSataSerial);
  tree.UsbNic("enx00e04c680001", "00:E0:4C:68:00:01");
  tree.UsbDisk("sdb", "DOCKDISK0001");
  Collection c = Collect(tree);
  EXPECT_FALSE(HasValue(c, PartKind::kNic, "00:e0:4c:68:00:01"));
  EXPECT_FALSE(HasValue(c, PartKind::kDisk, "DOCKDISK0001"));
  auto r = Reconcile(enrolled, c.parts);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, ReconcileOutcome::kMatched);
  EXPECT_EQ(r->machine_key, enrolled.machine_key);
  EXPECT_EQ(r->changed_kinds, std::vector<PartKind>{PartKind::kDisk});
  // Rolled forward: the new disk is now part of the enrolled set.
  auto again = Reconcile(r->enrollment, c.parts);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->changed_kinds.empty());
  EXPECT_EQ(again->machine_key, enrolled.machine_key);
}

// An OS reinstall (new machine-id) keeps the machine key.
TEST(LinuxCollectorTest, OsReinstallKeepsTheKey) {
  Enrollment enrolled = EnrollBareMetal();
  FixtureTree tree;
  tree.BareMetal();
  tree.MachineId("0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e\n");
  auto r = Reconcile(enrolled, Collect(tree).parts);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, ReconcileOutcome::kMatched);
  EXPECT_EQ(r->machine_key, enrolled.machine_key);
  EXPECT_EQ(r->changed_kinds, std::vector<PartKind>{PartKind::kOsInstall});
}

// A board swap (new firmware UUID, serials and onboard NIC) is a new machine,
// and the changed kinds are named.
TEST(LinuxCollectorTest, BoardSwapIsANewMachine) {
  Enrollment enrolled = EnrollBareMetal();
  FixtureTree tree;
  tree.Dmi("9a8b7c6d-5e4f-3a2b-1c0d-ffeeddccbbaa", "/NEWBOARD/CN000/",
           "NEWSVC1");
  tree.MachineId(FixtureTree::kMachineId);
  tree.Nic("eno1", FixtureTree::kPciEth, "8c:ec:4b:99:88:77");
  tree.Nic("wlp0s20f3", FixtureTree::kPciWifi, FixtureTree::kWifiMac);
  tree.NvmeDisk("nvme0n1", "/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0",
                FixtureTree::kNvmeSerial);
  tree.SataDisk("sda", "/sys/devices/pci0000:00/0000:00:17.0",
                FixtureTree::kSataSerial);
  Collection c = Collect(tree);
  auto r = Reconcile(enrolled, c.parts);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, ReconcileOutcome::kChanged);
  EXPECT_NE(r->machine_key, enrolled.machine_key);
  EXPECT_EQ(r->machine_key, *MachineKey(c.parts));
  EXPECT_EQ(
      r->changed_kinds,
      (std::vector<PartKind>{PartKind::kFirmwareUuid, PartKind::kBoardSerial,
                             PartKind::kProductSerial, PartKind::kNic}));
}

void BuildVm(FixtureTree* tree) {
  // QEMU: a UUID, empty serials, a virtio NIC and disk.
  tree->Dmi("6e1d3c1a-7f0b-4d55-9b1a-2f7c0e5d9a11", "", "");
  tree->MachineId("c0ffee00c0ffee00c0ffee00c0ffee00\n");
  tree->Nic("eth0", "/sys/devices/pci0000:00/0000:00:03.0/virtio2",
            "52:54:00:12:34:56");
  tree->VirtioDisk("vda", "/sys/devices/pci0000:00/0000:00:04.0",
                   "vm-disk-0001");
  tree->LoopDevices();
}

// Two clones of one VM image have the same hardware ID but get different
// instance IDs, which is how the server tells them apart.
TEST(LinuxCollectorTest, VmClonesShareTheKeyNotTheInstanceId) {
  FixtureTree a;
  FixtureTree b;
  BuildVm(&a);
  BuildVm(&b);
  auto key_a = MachineKey(Collect(a).parts);
  auto key_b = MachineKey(Collect(b).parts);
  ASSERT_TRUE(key_a.has_value());
  EXPECT_EQ(*key_a, *key_b);
  EXPECT_EQ(KindsOf(Collect(a)),
            (std::multiset<std::string>{"firmware_uuid", "os_install", "nic",
                                        "disk"}));
  auto id_a = NewInstanceId();
  auto id_b = NewInstanceId();
  ASSERT_TRUE(id_a.has_value());
  ASSERT_TRUE(id_b.has_value());
  EXPECT_TRUE(IsValidInstanceId(*id_a));
  EXPECT_TRUE(IsValidInstanceId(*id_b));
  EXPECT_NE(*id_a, *id_b);
}

// A container without DMI reads the machine-id only (veth is virtual), and
// that is enough for a key.
TEST(LinuxCollectorTest, ContainerHasMachineIdOnly) {
  FixtureTree tree;
  tree.MachineId("1234abcd1234abcd1234abcd1234abcd\n");
  tree.Nic("eth0", "", "02:42:ac:11:00:02", 3);
  tree.LoopDevices();
  Collection c = Collect(tree);
  EXPECT_EQ(KindsOf(c), std::multiset<std::string>{"os_install"});
  auto r = Reconcile(std::nullopt, c.parts);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->machine_key, *MachineKey(c.parts));
}

// /etc/machine-id missing or "uninitialized" falls back to the D-Bus copy.
TEST(LinuxCollectorTest, MachineIdFallsBackToDbus) {
  FixtureTree tree;
  tree.MachineId("uninitialized\n");
  tree.Write("/var/lib/dbus/machine-id", "feedfacefeedfacefeedfacefeedface\n");
  Collection c = Collect(tree);
  ASSERT_EQ(c.parts.size(), 1u);
  EXPECT_EQ(c.parts[0].source, "/var/lib/dbus/machine-id");
  EXPECT_EQ(c.parts[0].value, "feedfacefeedfacefeedfacefeedface");
}

// Every placeholder is absent: never a part, and against an enrollment with
// real values it is not named as a change. Absent parts carry none of the
// enrolled weight, though: without the 7 of firmware, 6 of 13 is a new key.
TEST(LinuxCollectorTest, EveryPlaceholderIsAbsentNotChanged) {
  Enrollment enrolled = EnrollBareMetal();
  FixtureTree tree;
  tree.BareMetal();
  for (std::string_view placeholder :
       {"", "uninitialized", "00000000-0000-0000-0000-000000000000",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "03000200-0400-0500-0006-000700080009",
        "03020100-0504-0706-0809-0A0B0C0D0E0F",
        "10000000-0000-8000-0040-000000000000", "To be filled by O.E.M.",
        "Default string", "None", "Not Specified", "0123456789", "   "}) {
    SCOPED_TRACE(placeholder);
    tree.Dmi(placeholder, placeholder, placeholder);
    Collection c = Collect(tree);
    EXPECT_FALSE(c.HasKind(PartKind::kFirmwareUuid));
    EXPECT_FALSE(c.HasKind(PartKind::kBoardSerial));
    EXPECT_FALSE(c.HasKind(PartKind::kProductSerial));
    EXPECT_EQ(c.skipped.size(), 3u);
    auto r = Reconcile(enrolled, c.parts);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->outcome, ReconcileOutcome::kChanged);
    EXPECT_NE(r->machine_key, enrolled.machine_key);
    EXPECT_TRUE(r->changed_kinds.empty());
    EXPECT_EQ(JoinKinds(r->absent_kinds),
              "firmware_uuid, board_serial, product_serial");
  }
}

// With no readable part at all there is no key: Reconcile and the report
// both fail with HWID_NO_PARTS (the agent refuses to start).
TEST(LinuxCollectorTest, NoReadablePartIsAnError) {
  FixtureTree tree;
  tree.Dmi("Not Specified", "Default string", "");
  tree.MachineId("\n");
  tree.Nic("lo", "", "00:00:00:00:00:00");
  tree.LoopDevices();
  Collection c = Collect(tree);
  EXPECT_TRUE(c.parts.empty());
  auto r = Reconcile(std::nullopt, c.parts);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kHwidNoParts);
  auto report = FormatHwidReport(c, std::nullopt, "prod_1", {});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kHwidNoParts);
  EXPECT_NE(report.error().message.find("/etc/machine-id"), std::string::npos);
}

// The key does not depend on the order in which NICs and disks were created
// (directory enumeration order), and at most two of each are used.
TEST(LinuxCollectorTest, OrderIndependentAndLimitedToTwo) {
  const std::vector<std::pair<std::string, std::string>> nics = {
      {"enp1s0", "/sys/devices/pci0000:00/0000:01:00.0"},
      {"enp2s0", "/sys/devices/pci0000:00/0000:02:00.0"},
      {"enp3s0", "/sys/devices/pci0000:00/0000:03:00.0"}};
  const std::vector<std::string> macs = {
      "a0:00:00:00:00:03", "a0:00:00:00:00:01", "a0:00:00:00:00:02"};
  FixtureTree forward;
  FixtureTree backward;
  forward.MachineId(FixtureTree::kMachineId);
  backward.MachineId(FixtureTree::kMachineId);
  for (std::size_t i = 0; i < nics.size(); ++i) {
    forward.Nic(nics[i].first, nics[i].second, macs[i]);
    std::size_t j = nics.size() - 1 - i;
    backward.Nic(nics[j].first, nics[j].second, macs[j]);
    forward.VirtioDisk("vd" + std::string(1, static_cast<char>('a' + i)),
                       nics[i].second, "disk-" + std::to_string(i));
    backward.VirtioDisk("vd" + std::string(1, static_cast<char>('a' + j)),
                        nics[j].second, "disk-" + std::to_string(j));
  }
  Collection f = Collect(forward);
  Collection b = Collect(backward);
  EXPECT_EQ(*MachineKey(f.parts), *MachineKey(b.parts));
  EXPECT_EQ(KindsOf(f), (std::multiset<std::string>{"os_install", "nic", "nic",
                                                    "disk", "disk"}));
  EXPECT_TRUE(HasValue(f, PartKind::kNic, "a0:00:00:00:00:01"));
  EXPECT_TRUE(HasValue(f, PartKind::kNic, "a0:00:00:00:00:02"));
}

// A NIC whose address is not permanent, or a bonded card, is handled as §5
// says: random addresses skipped, a bond slave's own perm_hwaddr used,
// non-Ethernet (InfiniBand) links ignored.
TEST(LinuxCollectorTest, NicAddressRules) {
  FixtureTree tree;
  tree.MachineId(FixtureTree::kMachineId);
  tree.Nic("eno1", FixtureTree::kPciEth, "02:11:22:33:44:55", 1);
  tree.Nic("eno2", "/sys/devices/pci0000:00/0000:00:1f.7", "02:aa:bb:cc:dd:ee");
  tree.Write(
      "/sys/devices/pci0000:00/0000:00:1f.7/net/eno2/bonding_slave/"
      "perm_hwaddr",
      "3c:ec:ef:00:00:07\n");
  tree.Nic("bond0", "", "02:aa:bb:cc:dd:ee", 3);
  tree.Write("/sys/devices/virtual/net/bond0/bonding/mode",
             "active-backup 1\n");
  tree.Nic("ib0", "/sys/devices/pci0000:00/0000:05:00.0",
           "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0f:f1:01");
  Collection c = Collect(tree);
  EXPECT_EQ(KindsOf(c), (std::multiset<std::string>{"os_install", "nic"}));
  EXPECT_TRUE(HasValue(c, PartKind::kNic, "3c:ec:ef:00:00:07"));
  EXPECT_TRUE(
      std::none_of(c.skipped.begin(), c.skipped.end(),
                   [](const Skipped& s) { return s.kind == PartKind::kNic; }));
}

// Without root the DMI serials and the SATA VPD page are skipped as "needs
// root" (reported, not fatal), and the rest still forms a key.
TEST(LinuxCollectorTest, UnprivilegedReadSaysWhatNeedsRoot) {
  FixtureTree tree;
  tree.BareMetal();
  std::string summary;
  if (::geteuid() == 0) {
    // Read as "nobody" in a child, as `gg-agent hwid` run by a user would.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      if (::setgid(65534) != 0 || ::setuid(65534) != 0)
        ::_exit(2);
      Collection c = CollectParts(CollectOptions{tree.root()});
      std::string out;
      for (const Skipped& s : c.skipped) {
        out += std::string(KindName(s.kind)) + ":" +
               std::string(SkipReasonName(s.reason)) + "\n";
      }
      for (const Part& p : c.parts)
        out += std::string(KindName(p.kind)) + ":ok\n";
      bool ok = ::write(fds[1], out.data(), out.size()) ==
                static_cast<ssize_t>(out.size());
      ::_exit(ok ? 0 : 3);
    }
    ::close(fds[1]);
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof(buf))) > 0)
      summary.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
  } else {
    // Not root already: make the root-only files unreadable to their owner.
    for (const char* f : {"sys/devices/virtual/dmi/id/product_uuid",
                          "sys/devices/virtual/dmi/id/board_serial",
                          "sys/devices/virtual/dmi/id/product_serial"}) {
      std::filesystem::permissions(tree.root() / f,
                                   std::filesystem::perms::none);
    }
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(tree.root())) {
      if (e.path().filename() == "vpd_pg80")
        std::filesystem::permissions(e.path(), std::filesystem::perms::none);
    }
    Collection c = CollectParts(CollectOptions{tree.root()});
    for (const Skipped& s : c.skipped) {
      summary += std::string(KindName(s.kind)) + ":" +
                 std::string(SkipReasonName(s.reason)) + "\n";
    }
    for (const Part& p : c.parts)
      summary += std::string(KindName(p.kind)) + ":ok\n";
  }
  for (const char* line :
       {"firmware_uuid:needs root", "board_serial:needs root",
        "product_serial:needs root", "disk:needs root", "os_install:ok",
        "nic:ok", "disk:ok"}) {
    EXPECT_NE(summary.find(line), std::string::npos) << line << "\n" << summary;
  }
}

// On this real machine the collector returns something sane: normalised,
// non-placeholder values, logical sources, at most two NICs and disks.
TEST(LinuxCollectorTest, RealMachineIsSane) {
  Collection c = CollectParts(CollectOptions{});
  EXPECT_FALSE(c.parts.empty() && c.skipped.empty());
  int nics = 0;
  int disks = 0;
  for (const Part& p : c.parts) {
    EXPECT_EQ(NormalizeValue(p.value), p.value);
    EXPECT_FALSE(IsPlaceholder(p.value));
    EXPECT_EQ(p.source.front(), '/');
    nics += p.kind == PartKind::kNic;
    disks += p.kind == PartKind::kDisk;
  }
  EXPECT_LE(nics, 2);
  EXPECT_LE(disks, 2);
  if (!c.parts.empty()) {
    auto report = FormatHwidReport(c, std::nullopt, "prod_x", {true, false});
    ASSERT_TRUE(report.has_value());
    EXPECT_NE(report->find("fingerprint: "), std::string::npos);
  }
}

}  // namespace
}  // namespace gg::hwid
