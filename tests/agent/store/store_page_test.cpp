// The store read a page or a key at a time (the agent's start pass and its
// disk-only verdicts): key order across pages, nothing repeated or missed,
// a superseded row left out of both, and the count.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "test_verdicts.h"

namespace gg::store::testing {
namespace {

using StorePageTest = StoreTest;

TEST_F(StorePageTest, PagesCoverEveryRowOnceInKeyOrder) {
  auto store = OpenStore();
  // Two products, keys put out of order.
  for (int i = 9; i >= 0; --i) {
    ASSERT_TRUE(
        store->PutVerdict(MakeVerdict("prod-b", "K" + std::to_string(i))));
    ASSERT_TRUE(
        store->PutVerdict(MakeVerdict("prod-a", "K" + std::to_string(i))));
  }
  auto count = store->CountVerdicts();
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 20u);

  std::vector<std::string> seen;
  std::optional<VerdictKey> after;
  int pages = 0;
  do {
    auto page = store->LoadUnverifiedPage(after, 3);
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_LE(page->rows.size(), 3u);
    for (const StoredVerdict& row : page->rows)
      seen.push_back(row.key.product_id + "/" + row.key.license_key);
    after = page->next_after;
    ASSERT_LT(++pages, 10);
  } while (after);
  EXPECT_EQ(pages, 7);  // 6 full pages and the last 2 rows
  ASSERT_EQ(seen.size(), 20u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 20u);
  EXPECT_EQ(seen.front(), "prod-a/K0");
  EXPECT_EQ(seen.back(), "prod-b/K9");
}

TEST_F(StorePageTest, OneKeyAndSupersededRows) {
  auto store = OpenStore();
  ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-1")));
  ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-2")));

  auto one = store->LoadUnverifiedVerdict({"prod-1", "KEY-2"});
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->key.license_key, "KEY-2");
  EXPECT_TRUE(store->CheckVerdict(**one));
  auto none = store->LoadUnverifiedVerdict({"prod-1", "KEY-3"});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  // A marked key's row is never read back, by either way.
  ASSERT_TRUE(store->MarkSuperseded({"prod-1", "KEY-1"}));
  auto marked = store->LoadUnverifiedVerdict({"prod-1", "KEY-1"});
  ASSERT_TRUE(marked);
  EXPECT_FALSE(marked->has_value());
  ASSERT_TRUE(store->MarkSuperseded({"prod-1", "KEY-2"}));
  auto page = store->LoadUnverifiedPage(std::nullopt, 10);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->rows.empty());
  EXPECT_FALSE(page->next_after);
}

}  // namespace
}  // namespace gg::store::testing
