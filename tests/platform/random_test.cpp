// The CSPRNG helpers give the sizes asked for and do not repeat.
#include <set>

#include <gtest/gtest.h>

#include "platform/random.h"

namespace gg {
namespace {

// 16 random bytes are 32 lowercase hex characters, different each time.
TEST(Random, HexNoncesAreFreshAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto hex = RandomHex(16);
    ASSERT_TRUE(hex);
    ASSERT_EQ(hex->size(), 32u);
    EXPECT_EQ(hex->find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(*hex);
  }
  EXPECT_EQ(seen.size(), 100u);
}

// Uniform01 stays within [0, 1) and is not constant.
TEST(Random, UniformIsInRange) {
  SecureRandomSource r;
  double lo = 1, hi = 0;
  for (int i = 0; i < 1000; ++i) {
    double v = r.Uniform01();
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_LT(lo, 0.1);
  EXPECT_GT(hi, 0.9);
}

}  // namespace
}  // namespace gg
