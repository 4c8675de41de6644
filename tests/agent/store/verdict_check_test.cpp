// The pure check of a stored verdict row (verdict_check.cpp): what it
// names, and the parallel check at start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/store/verdict_check.h"
#include "test_verdicts.h"

namespace gg::store::testing {
namespace {

using ::testing::HasSubstr;

// The pure check names what is wrong with a verdict.
TEST(VerdictCheckTest, NamesTheFailure) {
  const std::vector<std::string> keys = {TestPublicKey()};
  auto v = MakeVerdict("p", "k");
  EXPECT_TRUE(CheckStoredVerdict(keys, v));
  auto wrong_status = v;
  wrong_status.material.status = 500;
  EXPECT_THAT(CheckStoredVerdict(keys, wrong_status).error().message,
              HasSubstr("no verdict"));
  auto bad_sig = v;
  bad_sig.material.response_timestamp = "1";
  EXPECT_THAT(CheckStoredVerdict(keys, bad_sig).error().message,
              HasSubstr("signature"));
  auto other = v;
  other.key.product_id = "q";
  EXPECT_THAT(CheckStoredVerdict(keys, other).error().message,
              HasSubstr("another product"));
}

// Checking many verdicts on several threads gives each verdict its own
// answer, the same as checking it alone.
TEST(VerdictCheckTest, ParallelCheckMatchesSerial) {
  const std::vector<std::string> keys = {TestPublicKey()};
  std::vector<StoredVerdict> verdicts;
  for (int i = 0; i < 700; ++i) {
    verdicts.push_back(MakeVerdict("p", "k" + std::to_string(i)));
    if (i % 97 == 3)
      verdicts.back().material.response_body += "x";
  }
  auto results = CheckStoredVerdicts(keys, verdicts, 3);
  ASSERT_EQ(results.size(), verdicts.size());
  int bad = 0;
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    EXPECT_EQ(results[i].has_value(), i % 97 != 3) << i;
    bad += results[i] ? 0 : 1;
  }
  EXPECT_EQ(bad, 8);
}

}  // namespace
}  // namespace gg::store::testing
