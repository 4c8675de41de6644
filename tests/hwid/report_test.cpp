// The `gg-agent hwid` report: text and JSON, components with sources,
// weights, matched flags and skipped parts, values masked.
#include "hwid/report.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hwid/machine_key.h"

namespace gg::hwid {
namespace {

Collection Sample() {
  Collection c;
  c.parts = {
      {PartKind::kOsInstall, "7d0b8a4e2f6c4b1e9a3d5c7e9f1a2b3c",
       "/etc/machine-id"},
      {PartKind::kNic, "8c:ec:4b:12:34:56", "/sys/class/net/eno1/address"}};
  c.skipped = {{PartKind::kFirmwareUuid, "/sys/class/dmi/id/product_uuid",
                SkipReason::kNeedsRoot},
               {PartKind::kBoardSerial, "/sys/class/dmi/id/board_serial",
                SkipReason::kPlaceholder}};
  return c;
}

// Text without --components: fingerprint and the product's ID as §5 computes
// them, nothing about individual parts.
TEST(ReportTest, TextSummary) {
  Collection c = Sample();
  auto key = MachineKey(c.parts);
  auto out = FormatHwidReport(c, std::nullopt, "prod_1", {});
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("fingerprint: " + *MachineFingerprint(*key)),
            std::string::npos);
  EXPECT_NE(out->find("hwid (prod_1): " + *ProductHwid(*key, "prod_1")),
            std::string::npos);
  EXPECT_EQ(out->find("/etc/machine-id"), std::string::npos);
  EXPECT_NE(out->find("need root"), std::string::npos);
  auto no_product = FormatHwidReport(c, std::nullopt, "", {});
  ASSERT_TRUE(no_product.has_value());
  EXPECT_EQ(no_product->find("hwid ("), std::string::npos);
}

// --components lists each part with kind, weight, source, readable and
// matched, and the skipped ones with their reason; values are masked.
TEST(ReportTest, TextComponents) {
  Collection c = Sample();
  Enrollment enrolled;
  enrolled.machine_key = std::string(64, 'a');
  enrolled.parts = {{PartKind::kOsInstall,
                     *PartDigest(PartKind::kOsInstall, c.parts[0].value), 2}};
  ReportOptions options;
  options.components = true;
  auto out = FormatHwidReport(c, enrolled, "prod_1", options);
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("enrollment: matches"), std::string::npos) << *out;
  // The kept key is the enrolled one.
  EXPECT_NE(out->find(*ProductHwid(enrolled.machine_key, "prod_1")),
            std::string::npos);
  EXPECT_NE(out->find("os_install     2       yes       yes      ****(32)"),
            std::string::npos)
      << *out;
  EXPECT_NE(out->find("nic            1       yes       no       ****(17)"),
            std::string::npos)
      << *out;
  EXPECT_NE(out->find("(needs root)"), std::string::npos);
  EXPECT_NE(out->find("(placeholder)"), std::string::npos);
  EXPECT_NE(out->find("/sys/class/dmi/id/product_uuid"), std::string::npos);
  EXPECT_EQ(out->find("8c:ec:4b"), std::string::npos);
  EXPECT_EQ(out->find("7d0b8a4e"), std::string::npos);
  // Kinds are listed in §5 order, firmware first.
  EXPECT_LT(out->find("firmware_uuid"), out->find("os_install"));
}

// JSON carries the same facts in fields a script can read.
TEST(ReportTest, JsonComponents) {
  Collection c = Sample();
  ReportOptions options;
  options.components = true;
  options.json = true;
  auto out = FormatHwidReport(c, std::nullopt, "prod_1", options);
  ASSERT_TRUE(out.has_value());
  auto j = nlohmann::json::parse(*out);
  EXPECT_EQ(j["hwid"], *ProductHwid(*MachineKey(c.parts), "prod_1"));
  EXPECT_EQ(j["enrollment"], "none");
  EXPECT_EQ(j["needsRoot"],
            nlohmann::json::array({"/sys/class/dmi/id/product_uuid"}));
  ASSERT_EQ(j["components"].size(), 4u);
  auto first = j["components"][0];
  EXPECT_EQ(first["kind"], "firmware_uuid");
  EXPECT_EQ(first["readable"], false);
  EXPECT_EQ(first["skipped"], "needs root");
  EXPECT_EQ(first["weight"], 3);
  auto nic = j["components"][3];
  EXPECT_EQ(nic["kind"], "nic");
  EXPECT_EQ(nic["value"], "****(17)");
  EXPECT_TRUE(nic["matched"].is_null());
  EXPECT_EQ(out->find("8c:ec:4b"), std::string::npos);
}

// A mismatch names the changed kinds and says `run` would re-enroll.
TEST(ReportTest, MismatchNamesChangedKinds) {
  Collection c = Sample();
  Enrollment enrolled;
  enrolled.machine_key = std::string(64, 'b');
  enrolled.parts = {
      {PartKind::kOsInstall, *PartDigest(PartKind::kOsInstall, "other"), 2}};
  auto out = FormatHwidReport(c, enrolled, "", {});
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("does NOT match"), std::string::npos);
  EXPECT_NE(out->find("changed: os_install"), std::string::npos);
  EXPECT_NE(out->find(*MachineFingerprint(*MachineKey(c.parts))),
            std::string::npos);
}

// Run without the rights to read enrolled parts (firmware UUID: needs
// root), the report neither claims a match nor a new machine: it says what
// it cannot read. Text and JSON.
TEST(ReportTest, UnreadableEnrolledPartsAreNotAMatchNorAMismatch) {
  Collection c = Sample();
  Enrollment enrolled;
  enrolled.machine_key = std::string(64, 'c');
  enrolled.parts = {
      {PartKind::kFirmwareUuid, *PartDigest(PartKind::kFirmwareUuid, "u"), 3},
      {PartKind::kOsInstall,
       *PartDigest(PartKind::kOsInstall, c.parts[0].value), 2}};
  auto out = FormatHwidReport(c, enrolled, "", {});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->find("matches"), std::string::npos) << *out;
  EXPECT_EQ(out->find("does NOT match"), std::string::npos) << *out;
  EXPECT_NE(out->find("cannot be checked with these rights: firmware_uuid"),
            std::string::npos)
      << *out;
  EXPECT_NE(out->find("weight 2 of 5"), std::string::npos) << *out;
  ReportOptions json_options;
  json_options.json = true;
  auto json = FormatHwidReport(c, enrolled, "", json_options);
  ASSERT_TRUE(json.has_value());
  auto j = nlohmann::json::parse(*json);
  EXPECT_EQ(j["enrollment"], "unknown");
  EXPECT_EQ(j["unreadableEnrolledKinds"], nlohmann::json({"firmware_uuid"}));
  EXPECT_EQ(j["matchedWeight"], 2);
  EXPECT_EQ(j["enrolledWeight"], 5);
}

// A stored enrollment this user may not read is not "none stored".
TEST(ReportTest, UnreadableStoredEnrollmentIsNotNoneStored) {
  ReportOptions options;
  options.enrollment_unreadable = true;
  auto out = FormatHwidReport(Sample(), std::nullopt, "", options);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->find("none stored"), std::string::npos) << *out;
  EXPECT_NE(out->find("the stored set is not readable"), std::string::npos)
      << *out;
  options.json = true;
  auto json = FormatHwidReport(Sample(), std::nullopt, "", options);
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(nlohmann::json::parse(*json)["enrollment"], "unknown");
}

// An enrolled part that is simply missing (not a question of rights) makes
// a plain mismatch that names it as not readable, not as changed.
TEST(ReportTest, MissingEnrolledPartIsAMismatch) {
  Collection c = Sample();
  Enrollment enrolled;
  enrolled.machine_key = std::string(64, 'd');
  enrolled.parts = {
      {PartKind::kDisk, *PartDigest(PartKind::kDisk, "d1"), 1},
      {PartKind::kDisk, *PartDigest(PartKind::kDisk, "d2"), 1},
      {PartKind::kProductSerial, *PartDigest(PartKind::kProductSerial, "p"), 2},
      {PartKind::kOsInstall,
       *PartDigest(PartKind::kOsInstall, c.parts[0].value), 2}};
  auto out = FormatHwidReport(c, enrolled, "", {});
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("does NOT match the stored set (weight 2 of 6)"),
            std::string::npos)
      << *out;
  EXPECT_NE(out->find("not readable now: product_serial, disk"),
            std::string::npos)
      << *out;
  EXPECT_EQ(out->find("changed:"), std::string::npos) << *out;
}

}  // namespace
}  // namespace gg::hwid
