// No raw serial, UUID or MAC appears in any log line (debug and trace
// included) or in any form of the `hwid` report.
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "hwid/collector.h"
#include "hwid/enrollment.h"
#include "hwid/normalize.h"
#include "hwid/report.h"
#include "platform/log.h"
#include "tests/hwid/fixture_tree.h"

namespace gg::hwid {
namespace {

using testing::FixtureTree;

// Raw and normalised spellings, and a distinctive fragment of each.
std::vector<std::string> Secrets() {
  std::vector<std::string> out;
  for (std::string_view raw :
       {FixtureTree::kUuid, FixtureTree::kBoardSerial,
        FixtureTree::kProductSerial, FixtureTree::kMachineId,
        FixtureTree::kEthMac, FixtureTree::kWifiMac, FixtureTree::kNvmeSerial,
        FixtureTree::kSataSerial}) {
    out.emplace_back(raw);
    out.push_back(NormalizeValue(raw));
    out.push_back(NormalizeValue(raw.substr(raw.size() - 7)));
  }
  return out;
}

// Collect (logging at trace), reconcile against a changed enrollment and
// print every report form: no secret in any of it.
TEST(NoLeakTest, LogsAndReportsAreMasked) {
  FixtureTree tree;
  tree.BareMetal();
  tree.UsbNic("enx00e04c680001", "00:E0:4C:68:00:01");
  std::ostringstream log_lines;
  log::Init(spdlog::level::trace, log::Format::kText, &log_lines);
  Collection c = CollectParts(CollectOptions{tree.root()});
  spdlog::default_logger()->flush();
  std::string everything = log_lines.str();
  log::Init(spdlog::level::info, log::Format::kText, nullptr);
  ASSERT_EQ(c.parts.size(), 8u);

  Enrollment stale;
  stale.machine_key = std::string(64, 'c');
  stale.parts = {{PartKind::kOsInstall, std::string(64, 'd'), 2}};
  auto reconciled = Reconcile(stale, c.parts);
  ASSERT_TRUE(reconciled.has_value());
  everything += EnrollmentToJson(reconciled->enrollment);
  everything += JoinKinds(reconciled->changed_kinds);
  for (bool components : {false, true}) {
    for (bool json : {false, true}) {
      ReportOptions options;
      options.components = components;
      options.json = json;
      for (const auto& enrolled :
           {std::optional<Enrollment>(), std::optional<Enrollment>(stale)}) {
        auto out = FormatHwidReport(c, enrolled, "prod_1", options);
        ASSERT_TRUE(out.has_value());
        everything += *out;
      }
    }
  }
  // The debug lines were written (so the check below means something).
  EXPECT_NE(everything.find("filtered: usb"), std::string::npos);
  for (const std::string& secret : Secrets())
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret;
  EXPECT_EQ(everything.find("00:e0:4c"), std::string::npos);
}

}  // namespace
}  // namespace gg::hwid
