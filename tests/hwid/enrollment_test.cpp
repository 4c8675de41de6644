// Tolerance: the enrollment's JSON form and the Reconcile() rule (weighted
// threshold plus a core part, absent is not changed, roll forward).
#include "hwid/enrollment.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwid/collector.h"
#include "hwid/machine_key.h"

namespace gg::hwid {
namespace {

// uuid 3 + board 2 + product 2 + os 2 + nic 1 + nic 1 + disk 1 + disk 1 = 13
std::vector<Part> Machine() {
  return {{PartKind::kFirmwareUuid, "uuid-1", "/u"},
          {PartKind::kBoardSerial, "board-1", "/b"},
          {PartKind::kProductSerial, "product-1", "/p"},
          {PartKind::kOsInstall, "os-1", "/m"},
          {PartKind::kNic, "aa:00:00:00:00:01", "/n1"},
          {PartKind::kNic, "aa:00:00:00:00:02", "/n2"},
          {PartKind::kDisk, "disk-1", "/d1"},
          {PartKind::kDisk, "disk-2", "/d2"}};
}

std::vector<Part> Replace(std::vector<Part> parts,
                          PartKind kind,
                          const std::string& value) {
  for (Part& p : parts) {
    if (p.kind == kind) {
      p.value = value;
      break;
    }
  }
  return parts;
}

std::vector<Part> Without(std::vector<Part> parts, PartKind kind) {
  std::erase_if(parts, [kind](const Part& p) { return p.kind == kind; });
  return parts;
}

Enrollment Enroll(const std::vector<Part>& parts) {
  auto r = Reconcile(std::nullopt, parts);
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, ReconcileOutcome::kFirstEnrollment);
  return r->enrollment;
}

// The first run enrolls every part with its kind, digest and weight, under
// the key of the set.
TEST(EnrollmentTest, FirstEnrollment) {
  auto r = Reconcile(std::nullopt, Machine());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->machine_key, *MachineKey(Machine()));
  EXPECT_EQ(r->enrollment.machine_key, r->machine_key);
  ASSERT_EQ(r->enrollment.parts.size(), 8u);
  EXPECT_EQ(r->enrollment.parts[0].weight, 3);
  EXPECT_EQ(r->enrollment.parts[0].digest,
            *PartDigest(PartKind::kFirmwareUuid, "uuid-1"));
  EXPECT_EQ(r->part_matched, std::vector<bool>(8, false));
}

// The enrollment survives its JSON form; the JSON holds no raw value.
TEST(EnrollmentTest, JsonRoundTrip) {
  Enrollment e = Enroll(Machine());
  std::string json = EnrollmentToJson(e);
  EXPECT_EQ(json.find("board-1"), std::string::npos);
  auto back = EnrollmentFromJson(json);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->machine_key, e.machine_key);
  ASSERT_EQ(back->parts.size(), e.parts.size());
  for (std::size_t i = 0; i < e.parts.size(); ++i) {
    EXPECT_EQ(back->parts[i].kind, e.parts[i].kind);
    EXPECT_EQ(back->parts[i].digest, e.parts[i].digest);
    EXPECT_EQ(back->parts[i].weight, e.parts[i].weight);
  }
}

// Malformed stored enrollments are refused, not half-read.
TEST(EnrollmentTest, JsonRejectsMalformed) {
  const std::string d(64, 'a');
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"),
        std::string(R"({"version":2,"machineKey":")" + d +
                    R"(","parts":[{"kind":"nic","digest":")" + d +
                    R"(","weight":1}]})"),
        std::string(R"({"version":1,"machineKey":"xyz","parts":[]})"),
        std::string(R"({"version":1,"machineKey":")" + d + R"(","parts":[]})"),
        std::string(R"({"version":1,"machineKey":")" + d +
                    R"(","parts":[{"kind":"gpu","digest":")" + d +
                    R"(","weight":1}]})"),
        std::string(R"({"version":1,"machineKey":")" + d +
                    R"(","parts":[{"kind":"nic","digest":"AB","weight":1}]})"),
        std::string(R"({"version":1,"machineKey":")" + d +
                    R"(","parts":[{"kind":"nic","digest":")" + d +
                    R"(","weight":0}]})")}) {
    auto e = EnrollmentFromJson(bad);
    ASSERT_FALSE(e.has_value()) << bad;
    EXPECT_EQ(e.error().code, ErrorCode::kHwidEnrollment);
  }
}

struct Case {
  const char* name;
  std::vector<Part> current;
  ReconcileOutcome outcome;
  std::vector<PartKind> changed;
};

// The rule as a table: threshold of the whole enrolled weight AND a core
// part; absent kinds weigh against a match but are not named as changes.
TEST(EnrollmentTest, ToleranceTable) {
  const Enrollment enrolled = Enroll(Machine());
  const auto k = ReconcileOutcome::kMatched;
  const auto n = ReconcileOutcome::kChanged;
  std::vector<Part> only_peripherals = {
      {PartKind::kNic, "aa:00:00:00:00:01", "/n1"},
      {PartKind::kNic, "aa:00:00:00:00:02", "/n2"},
      {PartKind::kDisk, "disk-1", "/d1"},
      {PartKind::kDisk, "disk-2", "/d2"}};
  std::vector<Part> board_swap =
      Replace(Replace(Replace(Machine(), PartKind::kFirmwareUuid, "uuid-2"),
                      PartKind::kBoardSerial, "board-2"),
              PartKind::kProductSerial, "product-2");
  std::vector<Part> all_new = {{PartKind::kOsInstall, "os-9", "/m"},
                               {PartKind::kDisk, "disk-9", "/d"}};
  const std::vector<Case> cases = {
      {"same", Machine(), k, {}},
      {"disk swap",
       Replace(Machine(), PartKind::kDisk, "disk-3"),
       k,
       {PartKind::kDisk}},
      {"os reinstall",
       Replace(Machine(), PartKind::kOsInstall, "os-2"),
       k,
       {PartKind::kOsInstall}},
      // 13 - 7 = 6 of 13 < 0.6.
      {"board swap",
       board_swap,
       n,
       {PartKind::kFirmwareUuid, PartKind::kBoardSerial,
        PartKind::kProductSerial}},
      // Firmware unreadable (absent): 6 of 13 although every part read
      // matches; absent kinds are not named as changed.
      {"no dmi",
       Without(Without(Without(Machine(), PartKind::kFirmwareUuid),
                       PartKind::kBoardSerial),
               PartKind::kProductSerial),
       n,
       {}},
      // Both disks gone (absent, not replaced): 11 of 13.
      {"disks absent", Without(Machine(), PartKind::kDisk), k, {}},
      // 4 of 13 weight and no core part: never the same machine.
      {"peripherals only", only_peripherals, n, {}},
      {"all new", all_new, n, {PartKind::kOsInstall, PartKind::kDisk}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = Reconcile(enrolled, c.current, 0.6);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->outcome, c.outcome);
    EXPECT_EQ(r->changed_kinds, c.changed);
    if (c.outcome == k) {
      EXPECT_EQ(r->machine_key, enrolled.machine_key);
    } else {
      EXPECT_EQ(r->machine_key, *MachineKey(c.current));
    }
    EXPECT_EQ(r->enrollment.machine_key, r->machine_key);
    EXPECT_EQ(r->enrollment.parts.size(), c.current.size());
    // Only a new machine gets a warning, and it names the changed kinds.
    auto warning = ChangeWarning(*r);
    EXPECT_EQ(warning.has_value(), c.outcome == n);
    if (warning && !c.changed.empty()) {
      EXPECT_NE(warning->find(JoinKinds(c.changed)), std::string::npos);
    }
  }
}

// The copy attack: the state and /etc/machine-id carried into a container
// with no DMI, NICs or disks match 2 of 13 and are a new machine; the
// warning says which kinds could not be read.
TEST(EnrollmentTest, CopiedStateWithoutHardwareIsNotTheSameMachine) {
  const Enrollment enrolled = Enroll(Machine());
  std::vector<Part> container = {{PartKind::kOsInstall, "os-1", "/m"}};
  auto r = Reconcile(enrolled, container, 0.6);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, ReconcileOutcome::kChanged);
  EXPECT_NE(r->machine_key, enrolled.machine_key);
  EXPECT_EQ(r->matched_weight, 2);
  EXPECT_EQ(r->enrolled_weight, 13);
  EXPECT_EQ(r->absent_weight, 11);
  EXPECT_TRUE(r->changed_kinds.empty());
  EXPECT_EQ(JoinKinds(r->absent_kinds),
            "firmware_uuid, board_serial, product_serial, nic, disk");
  auto warning = ChangeWarning(*r);
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("not readable now: firmware_uuid"), std::string::npos)
      << *warning;
  EXPECT_NE(warning->find("2 of 13"), std::string::npos) << *warning;
}

// Exactly at the threshold matches; just below does not.
TEST(EnrollmentTest, ThresholdBoundary) {
  // Enrolled: uuid 3 + os 2 + 5 disks... use nic/disk to tune: 3+2+1+1+1+1+1
  // = 10; changing 4 weight (uuid + 1 disk) leaves 6 of 10 = 0.6.
  std::vector<Part> base = {
      {PartKind::kFirmwareUuid, "u", "/u"}, {PartKind::kOsInstall, "o", "/o"},
      {PartKind::kNic, "n1", "/n1"},        {PartKind::kNic, "n2", "/n2"},
      {PartKind::kDisk, "d1", "/d1"},       {PartKind::kDisk, "d2", "/d2"},
      {PartKind::kDisk, "d3", "/d3"}};
  Enrollment e = Enroll(base);
  auto six = Replace(Replace(base, PartKind::kFirmwareUuid, "u2"),
                     PartKind::kDisk, "d9");
  auto r = Reconcile(e, six, 0.6);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->matched_weight, 6);
  EXPECT_EQ(r->enrolled_weight, 10);
  EXPECT_TRUE(r->matched());
  auto r2 = Reconcile(e, six, 0.61);
  ASSERT_TRUE(r2.has_value());
  EXPECT_FALSE(r2->matched());
}

// Slow drift rolls forward: a disk now, a NIC and the OS later, each step
// keeps the key although little of the first set is left.
TEST(EnrollmentTest, DriftRollsForward) {
  Enrollment e = Enroll(Machine());
  const std::string key = e.machine_key;
  std::vector<Part> now = Machine();
  for (auto [kind, value] : std::vector<std::pair<PartKind, std::string>>{
           {PartKind::kDisk, "disk-3"},
           {PartKind::kNic, "aa:00:00:00:00:09"},
           {PartKind::kOsInstall, "os-2"},
           {PartKind::kBoardSerial, "board-2"}}) {
    now = Replace(now, kind, value);
    auto r = Reconcile(e, now);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->matched());
    EXPECT_EQ(r->machine_key, key);
    e = r->enrollment;
  }
}

// Per-part matched flags follow the current parts.
TEST(EnrollmentTest, PartMatchedFlags) {
  Enrollment e = Enroll(Machine());
  auto now = Replace(Machine(), PartKind::kNic, "aa:00:00:00:00:07");
  auto r = Reconcile(e, now);
  ASSERT_TRUE(r.has_value());
  std::vector<bool> expected(8, true);
  expected[4] = false;
  EXPECT_EQ(r->part_matched, expected);
  EXPECT_EQ(JoinKinds(r->changed_kinds), "nic");
}

// No part at all: an error, not a constant key.
TEST(EnrollmentTest, NoPartsIsAnError) {
  auto r = Reconcile(Enroll(Machine()), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kHwidNoParts);
}

// LimitKind keeps the two smallest distinct values whatever the order.
TEST(EnrollmentTest, LimitKindIsOrderIndependent) {
  Collection a;
  a.parts = {{PartKind::kDisk, "c", "/1"},
             {PartKind::kOsInstall, "o", "/o"},
             {PartKind::kDisk, "a", "/2"},
             {PartKind::kDisk, "a", "/4"},
             {PartKind::kDisk, "b", "/3"}};
  Collection b;
  b.parts = {a.parts[4], a.parts[2], a.parts[1], a.parts[0]};
  LimitKind(&a, PartKind::kDisk, 2);
  LimitKind(&b, PartKind::kDisk, 2);
  EXPECT_EQ(*MachineKey(a.parts), *MachineKey(b.parts));
  ASSERT_EQ(a.parts.size(), 3u);
  EXPECT_EQ(a.parts[1].value, "a");
  EXPECT_EQ(a.parts[2].value, "b");
}

}  // namespace
}  // namespace gg::hwid
