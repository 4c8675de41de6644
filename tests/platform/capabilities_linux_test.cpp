// The capability life of `gg-agent run` (platform/capabilities.h), in a
// forked child that becomes "nobody" holding only CAP_DAC_READ_SEARCH, as
// the unit starts the agent. Root only (it changes user).
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "platform/capabilities.h"

namespace gg {
namespace {

bool CanRead(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ::close(fd);
  return true;
}

// In the child: become uid/gid 65534 keeping CAP_DAC_READ_SEARCH permitted
// (and effective), then walk the agent's steps. Each failed step exits with
// its own code for the parent to report.
[[noreturn]] void Child(const std::string& root_only) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  data[0].permitted = data[0].effective = 1u << CAP_DAC_READ_SEARCH;
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 ||
      ::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
      ::setresuid(65534, 65534, 65534) != 0 ||
      ::syscall(SYS_capset, &header, data) != 0)
    ::_exit(10);
  if (!CanRead(root_only))
    ::_exit(11);  // the capability works at all
  if (!LowerCapabilities())
    ::_exit(12);
  if (CanRead(root_only))
    ::_exit(13);  // lowered: the user's own rights only
  bool read_inside = false;
  auto raised = WithReadAnyFile([&] { read_inside = CanRead(root_only); });
  if (!raised || !*raised || !read_inside)
    ::_exit(14);
  if (CanRead(root_only))
    ::_exit(15);  // lowered again after the read
  if (!HoldsAnyCapability())
    ::_exit(16);
  if (!DropAllCapabilities())
    ::_exit(17);
  if (HoldsAnyCapability() || CanRead(root_only))
    ::_exit(18);
  if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
    ::_exit(19);
  // Gone for good: nothing can raise it again.
  auto again = WithReadAnyFile([&] { read_inside = CanRead(root_only); });
  if (!again || *again || read_inside)
    ::_exit(20);
  ::_exit(0);
}

// Lowered at start, raised only around the read, then dropped for good.
TEST(CapabilitiesTest, ReadThenDropForGoodAsAnotherUser) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root to become another user with a capability";
  char dir_template[] = "/tmp/gg-caps.XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  const std::string root_only = dir + "/product_serial";
  { std::ofstream(root_only) << "serial\n"; }
  ASSERT_EQ(::chmod(root_only.c_str(), 0400), 0);

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0)
    Child(root_only);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "failed at step " << WEXITSTATUS(status);
}

// Run by hand as root, the calls change nothing.
TEST(CapabilitiesTest, RootIsLeftAsItIs) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "only meaningful as root";
  ASSERT_TRUE(LowerCapabilities());
  auto raised = WithReadAnyFile([] {});
  ASSERT_TRUE(raised);
  EXPECT_FALSE(*raised);
  ASSERT_TRUE(DropAllCapabilities());
  EXPECT_TRUE(HoldsAnyCapability());
}

}  // namespace
}  // namespace gg
