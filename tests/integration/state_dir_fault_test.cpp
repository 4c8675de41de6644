// Faults of the disk under the real gg-agent (issue 13, point 4), the
// state directory on a file system of its own: full while the agent runs,
// read-only when it starts, and a cache file cut short while it was
// stopped. A small tmpfs is mounted over the state directory (root only;
// the tests skip elsewhere), so the agent meets a real ENOSPC and EROFS,
// not an injected SQLite error.
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "tests/integration/e2e_test.h"
#include "tests/integration/store_fault_checks.h"

namespace gg::e2e {
namespace {

using json = nlohmann::json;

class StateDirFaultTest : public E2eTest {
 protected:
  void TearDown() override {
    // The agent first: a mount with its files open cannot go.
    if (agent_)
      agent_->Kill();
    if (!mounted_.empty() && ::umount2(mounted_.c_str(), MNT_DETACH) != 0)
      ADD_FAILURE() << "umount " << mounted_ << ": " << std::strerror(errno);
    E2eTest::TearDown();
  }

  // Mounts a tmpfs of `bytes` over the (not yet started) agent's state
  // directory. False when this machine does not let us (not root, no
  // CAP_SYS_ADMIN): the caller skips.
  bool MountStateTmpfs(long long bytes) {
    const std::filesystem::path dir = agent_->StateDir();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      ADD_FAILURE() << "mkdir " << dir << ": " << ec.message();
      return false;
    }
    const std::string data = "size=" + std::to_string(bytes) + ",mode=0700";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                data.c_str()) != 0)
      return false;
    mounted_ = dir;
    return true;
  }

  // Remounts the state tmpfs read-only or read-write (nothing may have a
  // file on it open for writing: the agent is stopped).
  ::testing::AssertionResult RemountState(bool read_only) {
    unsigned long flags = MS_REMOUNT | MS_NOSUID | MS_NODEV;
    if (read_only)
      flags |= MS_RDONLY;
    if (::mount("tmpfs", mounted_.c_str(), "tmpfs", flags, nullptr) != 0)
      return ::testing::AssertionFailure()
             << "remount " << mounted_ << ": " << std::strerror(errno);
    return ::testing::AssertionSuccess();
  }

  std::filesystem::path mounted_;
};

// Fills the file system `file` is on: writes until ENOSPC, in pages and
// then in bytes, so not even a partial page is left for SQLite.
::testing::AssertionResult FillFileSystem(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return ::testing::AssertionFailure() << "open " << file;
  const std::string page(4096, 'x');
  long long written = 0;
  for (std::size_t chunk : {page.size(), std::size_t{1}}) {
    for (;;) {
      ssize_t n = ::write(fd, page.data(), chunk);
      if (n > 0) {
        written += n;
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno != ENOSPC) {
        const int e = errno;
        ::close(fd);
        return ::testing::AssertionFailure()
               << "write " << file << ": " << std::strerror(e);
      }
      break;
    }
  }
  ::close(fd);
  if (written == 0)
    return ::testing::AssertionFailure() << "nothing written to " << file;
  return ::testing::AssertionSuccess();
}

// Full while running: the fresh key is refused (AGENT_OFFLINE: an allow
// that is not on disk is not given), the cached key is still allowed from
// cache, the failure is logged and in `status`; once space is freed the
// fresh key is allowed online and is on disk after a restart.
TEST_F(StateDirFaultTest, FullRefusesNewAllowsServesCacheRecovers) {
  FixtureChanges changes;
  changes.extra_allow_keys = {"FULL-CACHED", "FULL-FRESH"};
  ASSERT_TRUE(StartServer(&changes));
  ASSERT_TRUE(MakeAgent(json::object(), /*start=*/false));
  if (!MountStateTmpfs(2 << 20))
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root): "
                 << std::strerror(errno);
  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  auto client = Connect();
  ASSERT_TRUE(client);
  json cached = AuthorizeOnce(*client, kProduct, "FULL-CACHED");
  ASSERT_EQ(cached.value("source", ""), "online") << cached.dump();

  const std::filesystem::path filler = mounted_ / "filler";
  ASSERT_TRUE(FillFileSystem(filler));
  const json status =
      ExpectStoreFaultAnswers(*client, "FULL-FRESH", "FULL-CACHED");
  ASSERT_TRUE(status.is_object());
  EXPECT_NE(status["lastError"].value("message", "").find("full"),
            std::string::npos)
      << status.dump();
  EXPECT_NE(agent_->Log().find("storing a verdict"), std::string::npos)
      << agent_->Log();

  std::error_code ec;
  ASSERT_TRUE(std::filesystem::remove(filler, ec)) << ec.message();
  json recovered = AuthorizeOnce(*client, kProduct, "FULL-FRESH");
  EXPECT_TRUE(recovered.value("allow", false)) << recovered.dump();
  EXPECT_EQ(recovered.value("source", ""), "online") << recovered.dump();
  client.reset();
  auto stopped = agent_->Stop();
  ASSERT_TRUE(stopped) << stopped.error().message;
  server_->Kill();
  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  auto again = Connect();
  ASSERT_TRUE(again);
  json after = AuthorizeOnce(*again, kProduct, "FULL-FRESH");
  EXPECT_TRUE(after.value("allow", false)) << after.dump();
  EXPECT_EQ(after.value("source", ""), "cache") << after.dump();
}

// Read-only at start: the agent does not run half-blind on a store it
// cannot write (every new verdict would be refused, the machine identity
// could not be kept); it exits non-zero with a log line naming the state
// directory and the cause, and starts once the directory is writable.
TEST_F(StateDirFaultTest, ReadOnlyAtStartExitsNamingTheDirectory) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent(json::object(), /*start=*/false));
  if (!MountStateTmpfs(4 << 20))
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root): "
                 << std::strerror(errno);
  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  ASSERT_TRUE(AllowOnlineThenStop());
  ASSERT_TRUE(RemountState(/*read_only=*/true));

  const std::size_t log_start = agent_->Log().size();
  EXPECT_FALSE(agent_->Start());
  const std::string log = agent_->Log().substr(log_start);
  EXPECT_NE(
      log.find("state directory " + mounted_.string() + " is not writable"),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("Read-only file system"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(agent_->SocketPath())) << log;

  ASSERT_TRUE(RemountState(/*read_only=*/false));
  server_->Kill();
  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  auto client = Connect();
  ASSERT_TRUE(client);
  json cached = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_TRUE(cached.value("allow", false)) << cached.dump();
  EXPECT_EQ(cached.value("source", ""), "cache") << cached.dump();
}

// A cache file cut short while the agent was stopped (a full disk at the
// last checkpoint, a bad copy): at start it is moved aside with a warning,
// never read again, and its verdicts are not served: with the server down
// the key it held is refused, not allowed from the damaged file.
TEST_F(StateDirFaultTest, TruncatedCacheAtStartMovedAsideNeverServed) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  ASSERT_TRUE(AllowOnlineThenStop());
  // A clean stop checkpoints the WAL into cache.db and removes it.
  ASSERT_FALSE(std::filesystem::exists(agent_->DbPath().string() + "-wal"));
  ASSERT_GT(std::filesystem::file_size(agent_->DbPath()), 4096u);
  // Cut inside the first page: the header survives (it still looks like
  // SQLite), the schema's cells at the page's end do not.
  std::filesystem::resize_file(agent_->DbPath(), 1024);
  server_->Kill();

  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  EXPECT_NE(agent_->Log().find("is corrupt"), std::string::npos)
      << agent_->Log();
  int moved = 0;  // the database itself, not its -wal and -shm beside it
  for (const auto& entry :
       std::filesystem::directory_iterator(agent_->StateDir())) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("cache.db.corrupt-") && !name.ends_with("-wal") &&
        !name.ends_with("-shm"))
      ++moved;
  }
  EXPECT_EQ(moved, 1) << agent_->Log();
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_FALSE(answer.value("allow", true)) << answer.dump();
  EXPECT_EQ(answer.value("reasonCode", json()), "AGENT_OFFLINE")
      << answer.dump();
}

}  // namespace
}  // namespace gg::e2e
