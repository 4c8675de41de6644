// Attacks on the state directory (issue 16 point 2): links planted at the
// database's names, to make the agent re-mode or overwrite another file,
// and a state directory that someone else controls.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

using StateFilesAttackTest = E2eTest;

unsigned Mode(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& text, unsigned mode) {
  { std::ofstream(p, std::ios::binary) << text; }
  ::chmod(p.c_str(), mode);
}

bool HasEntryStartingWith(const fs::path& dir, const std::string& prefix) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().starts_with(prefix))
      return true;
  return false;
}

// cache.db as a link to another file: the agent neither re-modes nor
// writes that file, and creates no -wal/-shm beside it; the link is moved
// aside and a database of its own is made.
TEST_F(StateFilesAttackTest, DatabaseLinkIsNotFollowed) {
  ASSERT_TRUE(MakeAgent(nlohmann::json::object(), /*start=*/false));
  const fs::path victim = agent_->Dir() / "victim";
  WriteFile(victim, "", 0644);  // empty: SQLite would happily make it a db
  ASSERT_TRUE(fs::create_directory(agent_->StateDir()));
  ::chmod(agent_->StateDir().c_str(), 0700);
  fs::create_symlink(victim, agent_->DbPath());

  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  EXPECT_EQ(Mode(victim), 0644u);
  EXPECT_EQ(Read(victim), "");
  EXPECT_FALSE(fs::exists(agent_->Dir() / "victim-wal"));
  EXPECT_FALSE(fs::exists(agent_->Dir() / "victim-shm"));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(agent_->DbPath())));
  EXPECT_TRUE(HasEntryStartingWith(agent_->StateDir(), "cache.db.unsafe-"));
  EXPECT_NE(agent_->Log().find("a symbolic link"), std::string::npos)
      << agent_->Log();
}

// A link at cache.db-wal (the database itself genuine) leaves its target
// untouched too.
TEST_F(StateFilesAttackTest, CompanionLinkIsNotFollowed) {
  ASSERT_TRUE(MakeAgent());
  auto code = agent_->Stop();
  ASSERT_TRUE(code) << code.error().message;
  ASSERT_EQ(*code, 0) << agent_->Log();
  const fs::path victim = agent_->Dir() / "precious";
  WriteFile(victim, "precious bytes", 0644);
  const fs::path wal = agent_->StateDir() / "cache.db-wal";
  std::error_code ec;
  fs::remove(wal, ec);
  fs::create_symlink(victim, wal);

  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  EXPECT_EQ(Mode(victim), 0644u);
  EXPECT_EQ(Read(victim), "precious bytes");
  EXPECT_TRUE(HasEntryStartingWith(agent_->StateDir(), "cache.db-wal.unsafe-"))
      << agent_->Log();
}

// A state directory others may write to (they could have planted links
// already) is refused at start: exit 2 naming state.dir.
TEST_F(StateFilesAttackTest, StateDirWritableByOthersIsRefused) {
  ASSERT_TRUE(MakeAgent(nlohmann::json::object(), /*start=*/false));
  ASSERT_TRUE(fs::create_directory(agent_->StateDir()));
  ::chmod(agent_->StateDir().c_str(), 0777);
  auto run = AgentProcess::RunToExit(
      {"run", "--config", agent_->ConfigPath().string()}, seconds(10));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->code, 2) << run->output;
  EXPECT_NE(run->output.find("state.dir"), std::string::npos) << run->output;
  EXPECT_EQ(Mode(agent_->StateDir()), 0777u);
}

// A state directory owned by another user is refused the same way.
TEST_F(StateFilesAttackTest, StateDirOfAnotherUserIsRefused) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root to make a directory of another user";
  ASSERT_TRUE(MakeAgent(nlohmann::json::object(), /*start=*/false));
  ASSERT_TRUE(fs::create_directory(agent_->StateDir()));
  ::chmod(agent_->StateDir().c_str(), 0700);
  ASSERT_EQ(::chown(agent_->StateDir().c_str(), 65534, 65534), 0);
  auto run = AgentProcess::RunToExit(
      {"run", "--config", agent_->ConfigPath().string()}, seconds(10));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->code, 2) << run->output;
  EXPECT_NE(run->output.find("state.dir"), std::string::npos) << run->output;
}

// A link at superseded-keys (the marks of rows that must never load again)
// is refused, not followed or replaced: the agent does not start, names
// the file, and the link's target keeps its mode and bytes.
TEST_F(StateFilesAttackTest, SupersededKeysLinkIsRefused) {
  ASSERT_TRUE(MakeAgent(nlohmann::json::object(), /*start=*/false));
  const fs::path victim = agent_->Dir() / "victim";
  WriteFile(victim, "keep me", 0644);
  ASSERT_TRUE(fs::create_directory(agent_->StateDir()));
  ::chmod(agent_->StateDir().c_str(), 0700);
  fs::create_symlink(victim, agent_->StateDir() / "superseded-keys");
  auto run = AgentProcess::RunToExit(
      {"run", "--config", agent_->ConfigPath().string()}, seconds(10));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->code, 1) << run->output;
  EXPECT_NE(run->output.find("superseded-keys"), std::string::npos)
      << run->output;
  EXPECT_EQ(Mode(victim), 0644u);
  EXPECT_EQ(Read(victim), "keep me");
}

}  // namespace
}  // namespace gg::e2e
