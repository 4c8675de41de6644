// The Python and Node clients' own tests (clients/python/tests,
// clients/node/test) run against a real gg-agent and gg-devserver started
// here, and `pip install ./clients/python` offline (issue 14 point 7).
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "tests/integration/e2e_test.h"
#include "tests/test_paths.h"

namespace gg::e2e {
namespace {

using ClientsE2eTest = E2eTest;

// Runs `command` with the agent's socket and the dev server in the
// environment; its exit status, and its output in `out`.
int RunWithAgent(const std::string& command,
                 const std::string& socket,
                 const std::string& server_url,
                 std::string& out) {
  const std::string log = socket + ".out";
  const std::string env = "export GG_AGENT_SOCKET='" + socket +
                          "' GG_TEST_PRODUCT='" + kProduct +
                          "' GG_DEVSERVER_URL='" + server_url +
                          "' GG_DEVSERVER_ADMIN_TOKEN='test-admin-token'; ";
  int status = std::system((env + command + " > '" + log + "' 2>&1").c_str());
  out.clear();
  if (std::FILE* f = std::fopen(log.c_str(), "rb")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
      out.append(buf, n);
    std::fclose(f);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// The Python package's tests, sync and asyncio, against the agent.
TEST_F(ClientsE2eTest, PythonClientTests) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  std::string out;
  const std::string cmd = std::string("cd '") + gg::test::SourceDir() +
                          "/clients/python' && '" + gg::test::PythonPath() +
                          "' -m unittest discover -s tests -v";
  EXPECT_EQ(
      RunWithAgent(cmd, agent_->SocketPath().string(), server_->BaseUrl(), out),
      0)
      << out;
  EXPECT_EQ(out.find("skipped"), std::string::npos) << out;
}

// `pip install ./clients/python` with no index at all, then an import.
TEST_F(ClientsE2eTest, PythonPackageInstallsOffline) {
  char tmpl[] = "/tmp/ggpip.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string target = tmpl;
  const std::string python = gg::test::PythonPath();
  const std::string cmd =
      "'" + python +
      "' -m pip install --no-index --no-cache-dir "
      "--disable-pip-version-check --target '" +
      target + "' '" + gg::test::SourceDir() +
      "/clients/python' && PYTHONPATH='" + target + "' '" + python +
      "' -c 'import geckoguard; print(geckoguard.__version__)'";
  std::string out;
  EXPECT_EQ(RunWithAgent(cmd, target + "/none", "", out), 0) << out;
  EXPECT_NE(out.find("0.1.0"), std::string::npos) << out;
  std::error_code ec;
  std::filesystem::remove_all(target, ec);
}

// The Node package's tests (node --test), the seed's validateLicense
// example among them, against the agent.
TEST_F(ClientsE2eTest, NodeClientTests) {
  if (std::string(gg::test::NodePath()).empty())
    GTEST_SKIP() << "node not installed";
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  std::string out;
  const std::string cmd = std::string("cd '") + gg::test::SourceDir() +
                          "/clients/node' && '" + gg::test::NodePath() +
                          "' --test test/";
  EXPECT_EQ(
      RunWithAgent(cmd, agent_->SocketPath().string(), server_->BaseUrl(), out),
      0)
      << out;
  EXPECT_NE(out.find("# skipped 0"), std::string::npos) << out;
}

}  // namespace
}  // namespace gg::e2e
