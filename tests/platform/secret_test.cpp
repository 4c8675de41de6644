// gg::Secret wipes its bytes when it goes away.
#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include <gtest/gtest.h>

#include "platform/secret.h"

namespace gg {
namespace {

// A short secret lives inside the object (std::string's small buffer): once
// destroyed, the storage it occupied holds none of its bytes.
TEST(SecretTest, DestructorWipesTheBytesItHeld) {
  alignas(Secret) unsigned char storage[sizeof(Secret)];
  const std::string value = "k3y-XYZ";  // short: stored inline
  auto* secret = new (storage) Secret(value);
  ASSERT_EQ(secret->Reveal(), value);
  secret->~Secret();
  const unsigned char* end = storage + sizeof(storage);
  const unsigned char* begin = storage;
  EXPECT_EQ(std::search(begin, end, value.begin(), value.end()), end);
}

// Moving a secret leaves no copy of it in the moved-from object.
TEST(SecretTest, MoveWipesTheSource) {
  alignas(Secret) unsigned char storage[sizeof(Secret)];
  const std::string value = "mv-secret";
  auto* from = new (storage) Secret(value);
  Secret to(std::move(*from));
  EXPECT_EQ(to.Reveal(), value);
  const unsigned char* end = storage + sizeof(storage);
  const unsigned char* begin = storage;
  EXPECT_EQ(std::search(begin, end, value.begin(), value.end()), end);
  from->~Secret();
}

}  // namespace
}  // namespace gg
