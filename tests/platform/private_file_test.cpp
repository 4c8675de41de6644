// Private files and directories get owner-only modes; secret files that are
// not owner-only are refused.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "platform/private_file.h"
#include "platform/random.h"

namespace gg {
namespace {

class PrivateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gg-pf-" + *RandomHex(6));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static unsigned Mode(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }
  std::filesystem::path dir_;
};

// A new state directory is 0700, and one only others may read is tightened.
TEST_F(PrivateFileTest, DirectoryIsOwnerOnly) {
  ASSERT_TRUE(EnsurePrivateDirectory(dir_ / "state"));
  EXPECT_EQ(Mode(dir_ / "state"), 0700u);
  ::chmod((dir_ / "state").c_str(), 0755);
  ASSERT_TRUE(EnsurePrivateDirectory(dir_ / "state"));
  EXPECT_EQ(Mode(dir_ / "state"), 0700u);
}

// A directory others could write to, or a link, is refused, not tightened:
// what others put in it would stay.
TEST_F(PrivateFileTest, WritableOrLinkedDirectoryIsRefused) {
  ASSERT_TRUE(EnsurePrivateDirectory(dir_ / "state"));
  ::chmod((dir_ / "state").c_str(), 0777);
  auto open = EnsurePrivateDirectory(dir_ / "state");
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, ErrorCode::kInsecureFile);
  EXPECT_EQ(Mode(dir_ / "state"), 0777u);
  std::filesystem::create_directory_symlink(dir_ / "state", dir_ / "link");
  auto linked = EnsurePrivateDirectory(dir_ / "link");
  ASSERT_FALSE(linked);
  EXPECT_EQ(linked.error().code, ErrorCode::kInsecureFile);
}

// A link planted at a file's name is refused and its target keeps its mode.
TEST_F(PrivateFileTest, MakeFilePrivateDoesNotFollowLinks) {
  ASSERT_TRUE(EnsurePrivateDirectory(dir_));
  auto target = dir_ / "victim";
  { std::ofstream(target) << "x"; }
  ::chmod(target.c_str(), 0644);
  std::filesystem::create_symlink(target, dir_ / "cache.db");
  auto made = MakeFilePrivate(dir_ / "cache.db");
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, ErrorCode::kInsecureFile);
  EXPECT_EQ(Mode(target), 0644u);
  std::string why;
  auto kind = InspectOwnFile(dir_ / "cache.db", &why);
  ASSERT_TRUE(kind);
  EXPECT_EQ(*kind, FileKind::kOther);
  EXPECT_EQ(why, "a symbolic link");
  EXPECT_EQ(*InspectOwnFile(target, nullptr), FileKind::kOwnRegular);
  EXPECT_EQ(*InspectOwnFile(dir_ / "absent", nullptr), FileKind::kAbsent);
}

// Atomic writes produce a 0600 file with the new content and no temp files.
TEST_F(PrivateFileTest, AtomicWriteIsPrivateAndComplete) {
  ASSERT_TRUE(EnsurePrivateDirectory(dir_));
  auto f = dir_ / "instance-id";
  ASSERT_TRUE(WritePrivateFileAtomic(f, "one"));
  ASSERT_TRUE(WritePrivateFileAtomic(f, "two"));
  EXPECT_EQ(*ReadFile(f), "two");
  EXPECT_EQ(Mode(f), 0600u);
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_))
    ++entries;
  EXPECT_EQ(entries, 1);
}

// A secret file readable by others is refused with a message naming it; an
// owner-only one is read with its trailing newline removed.
TEST_F(PrivateFileTest, SecretFileModes) {
  ASSERT_TRUE(EnsurePrivateDirectory(dir_));
  auto f = dir_ / "api-key";
  { std::ofstream(f) << "gg_secret\n"; }
  ::chmod(f.c_str(), 0644);
  auto loose = ReadSecretFile(f);
  ASSERT_FALSE(loose);
  EXPECT_EQ(loose.error().code, ErrorCode::kInsecureFile);
  EXPECT_NE(loose.error().message.find("api-key"), std::string::npos);
  ::chmod(f.c_str(), 0600);
  EXPECT_EQ(*ReadSecretFile(f), "gg_secret");
  EXPECT_FALSE(ReadSecretFile(dir_ / "missing"));
}

}  // namespace
}  // namespace gg
