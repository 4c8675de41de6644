// Attacks on libggclient (issue 16 points 4-6), each performed for real: a
// fake agent flooding events, a stream with no newline, contradictory
// answers, and a socket planted by another user.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gg/client.h"
#include "gg/client.hpp"
#include "tests/ipc/fake_agent.h"
#include "tests/ipc/test_util.h"
#include "tests/test_paths.h"

namespace gg::ipc::testing {
namespace {

using nlohmann::json;

constexpr char kProduct[] = "123e4567-e89b-12d3-a456-426614174000";

std::string ReadAll(const std::string& path) {
  std::string text;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
      text.append(buf, n);
    }
    std::fclose(f);
  }
  return text;
}

json AnswerTable() {
  return json::parse(ReadAll(std::string(gg::test::SourceDir()) +
                             "/tests/clients/answers.json"),
                     nullptr, false);
}

int KindCode(const std::string& kind) {
  return kind == "verdict" ? GG_OK
         : kind == "error" ? GG_ERR_REQUEST
                           : GG_ERR_PROTOCOL;
}

// Every row of the shared table: the pure rule, and the same answer coming
// from a (fake) agent through gg_client_authorize and the C++ wrapper.
TEST(ClientAnswerRuleTest, SharedTable) {
  json table = AnswerTable();
  ASSERT_TRUE(table.is_object()) << "tests/clients/answers.json unreadable";
  TempDir dir;
  const std::string path = dir.path() + "/agent.sock";
  json current;
  FakeAgent agent(path, [&](int fd, const json& request) {
    return agent.Send(fd, AnswerLine(current, request));
  });
  ASSERT_TRUE(agent.ok());
  gg_client* c = gg_client_new(path.c_str());
  // The C++ wrapper reads the same table, from a fake agent of its own
  // (a FakeAgent serves one connection at a time).
  FakeAgent agent2(path + "2", [&](int fd, const json& request) {
    return agent2.Send(fd, AnswerLine(current, request));
  });
  ASSERT_TRUE(agent2.ok());
  gg::client::Client cpp(path + "2");
  for (const json& row : table["rows"]) {
    const std::string name = row["name"];
    const std::string line = row["answer"].dump();
    gg_verdict v;
    v.allow = -1;
    EXPECT_EQ(gg_verdict_from_json(line.c_str(), &v), KindCode(row["kind"]))
        << name;
    EXPECT_EQ(v.allow, row["allow"].get<bool>() ? 1 : 0) << name;
    EXPECT_EQ(std::string(v.reason_code), row["reason"].get<std::string>())
        << name;

    current = row["answer"];
    gg_verdict w;
    w.allow = -1;
    EXPECT_EQ(gg_client_authorize(c, kProduct, "k", nullptr, nullptr, 0, &w),
              KindCode(row["kind"]))
        << name;
    EXPECT_EQ(w.allow, row["allow"].get<bool>() ? 1 : 0) << name;
    EXPECT_EQ(std::string(w.reason_code), row["reason"].get<std::string>())
        << name;

    gg::client::Verdict x = cpp.Authorize(kProduct, "k");
    EXPECT_EQ(x.rc, KindCode(row["kind"])) << name;
    EXPECT_EQ(x.allow, row["allow"].get<bool>()) << name;
    EXPECT_EQ(x.reason_code, row["reason"].get<std::string>()) << name;
  }
  gg_client_free(c);
}

// ggctl check reads the same rule: a contradictory answer is a deny (exit
// 3), not "allow" and exit 0.
TEST(ClientAnswerRuleTest, GgctlCheckDeniesContradictoryAnswer) {
  TempDir dir;
  const std::string path = dir.path() + "/agent.sock";
  FakeAgent agent(path, [&](int fd, const json& request) {
    return agent.Send(fd, AnswerLine({{"ok", false},
                                      {"allow", true},
                                      {"reasonCode", "LICENSE_REVOKED"}},
                                     request));
  });
  ASSERT_TRUE(agent.ok());
  const std::string cmd = std::string(gg::test::GgctlPath()) + " --socket " +
                          path + " check " + kProduct + " KEY > " + dir.path() +
                          "/out 2>&1";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  const std::string text = ReadAll(dir.path() + "/out");
  EXPECT_NE(text.find("deny: LICENSE_REVOKED"), std::string::npos) << text;
}

// A fake agent that answers one authorize with 300,000 events (for sessions
// that are not the client's, and for its own) keeps at most one event per
// own session queued: the old library queued every one (1.33 M, 1.48 GB).
TEST(ClientFloodTest, EventsAreBoundedAndCoalesced) {
  TempDir dir;
  const std::string path = dir.path() + "/agent.sock";
  FakeAgent agent(path, [&](int fd, const json& request) {
    if (request.value("op", "") != "authorize") {
      return agent.Send(fd, AnswerLine({{"ok", true}}, request));
    }
    bool ok = agent.Send(fd, AnswerLine({{"ok", true},
                                         {"allow", true},
                                         {"reasonCode", nullptr},
                                         {"sessionId", "s_own"}},
                                        request));
    std::string burst;
    for (int i = 0; i < 300000 && ok; ++i) {
      json ev = {{"event", "verdict"},
                 {"sessionId",
                  i % 2 == 0 ? "s_" + std::to_string(i) : std::string("s_own")},
                 {"allow", false},
                 {"reasonCode", "LICENSE_REVOKED"}};
      burst += ev.dump() + "\n";
      if (burst.size() > 65536) {
        ok = agent.Send(fd, burst);
        burst.clear();
      }
    }
    return ok && agent.Send(fd, burst + "{\"event\":\"shutdown\"}\n");
  });
  ASSERT_TRUE(agent.ok());
  gg_client* c = gg_client_new(path.c_str());
  gg_client_set_timeout_ms(c, 300000);  // parsing 30 MB under valgrind
  gg_verdict v;
  ASSERT_EQ(gg_client_authorize(c, kProduct, "k", nullptr, nullptr, 0, &v),
            GG_OK);
  ASSERT_EQ(v.allow, 1);
  // Read the whole flood (ping answers after it, in order).
  char* out = nullptr;
  ASSERT_EQ(gg_client_call_json(c, R"({"op":"ping"})", &out), GG_OK)
      << gg_client_last_error(c);
  gg_client_string_free(out);
  int events = 0;
  bool saw_own = false;
  bool saw_shutdown = false;
  gg_event ev;
  while (gg_client_poll_event(c, 0, &ev) == 1) {
    ++events;
    saw_own |= std::string(ev.session_id) == "s_own";
    saw_shutdown |= std::string(ev.type) == GG_EVENT_SHUTDOWN;
  }
  EXPECT_TRUE(saw_own);
  EXPECT_TRUE(saw_shutdown);
  EXPECT_LE(events, 2);
  gg_client_free(c);
}

// A stream with no newline ends at the 64 KiB frame limit: the call fails
// closed at once (not at the timeout) and the client hangs up, so the fake
// agent cannot push more than the limit plus socket buffers.
TEST(ClientFloodTest, NoNewlineStreamHitsTheFrameLimit) {
  TempDir dir;
  const std::string path = dir.path() + "/agent.sock";
  FakeAgent agent(path, [&](int fd, const json&) {
    const std::string chunk(65536, 'a');
    for (int i = 0; i < 2048; ++i) {  // up to 128 MiB
      if (!agent.Send(fd, chunk)) {
        break;
      }
    }
    return false;
  });
  ASSERT_TRUE(agent.ok());
  gg_client* c = gg_client_new(path.c_str());
  gg_client_set_timeout_ms(c, 600000);  // only the limit can end this call
  gg_verdict v;
  v.allow = 1;
  EXPECT_EQ(gg_client_authorize(c, kProduct, "k", nullptr, nullptr, 0, &v),
            GG_ERR_UNAVAILABLE);
  EXPECT_EQ(v.allow, 0);
  EXPECT_STREQ(v.reason_code, GG_REASON_AGENT_UNAVAILABLE);
  EXPECT_NE(std::string(gg_client_last_error(c)).find("65536"),
            std::string::npos)
      << gg_client_last_error(c);
  gg_client_free(c);
}

// ggctl status against the same stream exits 1 instead of growing.
TEST(ClientFloodTest, GgctlStatusStopsAtTheFrameLimit) {
  TempDir dir;
  const std::string path = dir.path() + "/agent.sock";
  FakeAgent agent(path, [&](int fd, const json&) {
    const std::string chunk(65536, 'a');
    for (int i = 0; i < 2048 && agent.Send(fd, chunk); ++i) {
    }
    return false;
  });
  ASSERT_TRUE(agent.ok());
  const std::string cmd = std::string(gg::test::GgctlPath()) + " --socket " +
                          path + " status > /dev/null 2>&1";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_LT(agent.bytes_sent(), 64LL << 20);
}

// A socket planted by another user (here `nobody`) in a directory it owns:
// the client refuses it -- AGENT_UNAVAILABLE, no request sent -- unless the
// app names that uid as its agent's. The default endpoint ignores
// TMPDIR/XDG_RUNTIME_DIR on Linux.
TEST(ClientPeerTest, SocketPlantedByAnotherUserIsRefused) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to run a child as nobody";
  }
  passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  char tmpl[] = "/tmp/gg-plantXXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string sock_dir = dir + "/gg-agent";
  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(sock_dir.c_str(), 0755), 0);
  ASSERT_EQ(chown(sock_dir.c_str(), uid, gid), 0);
  const std::string path = sock_dir + "/agent.sock";

  int ready[2];
  int seen[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(seen), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The attacker: an unprivileged fake agent that allows everything and
    // reports every request (license keys included) to the test.
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
      _exit(10);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) ||
        listen(fd, 4) != 0) {
      _exit(11);
    }
    (void)!write(ready[1], "r", 1);
    while (true) {
      int conn = accept(fd, nullptr, nullptr);
      if (conn < 0) {
        _exit(12);
      }
      char buf[4096];
      ssize_t n = read(conn, buf, sizeof(buf));
      if (n > 0) {
        (void)!write(seen[1], buf, static_cast<std::size_t>(n));
        const char answer[] =
            "{\"id\":1,\"ok\":true,\"allow\":true,\"reasonCode\":null,"
            "\"sessionId\":\"s_evil\"}\n";
        (void)!write(conn, answer, sizeof(answer) - 1);
      }
      close(conn);
    }
  }
  close(ready[1]);
  close(seen[1]);
  char r = 0;
  ASSERT_EQ(read(ready[0], &r, 1), 1) << "the planting child failed";

  gg_client* c = gg_client_new(path.c_str());
  gg_verdict v;
  v.allow = 1;
  EXPECT_EQ(
      gg_client_authorize(c, kProduct, "SECRET-KEY", nullptr, nullptr, 0, &v),
      GG_ERR_UNAVAILABLE);
  EXPECT_EQ(v.allow, 0);
  EXPECT_STREQ(v.reason_code, GG_REASON_AGENT_UNAVAILABLE);
  EXPECT_NE(std::string(gg_client_last_error(c)).find("refusing"),
            std::string::npos)
      << gg_client_last_error(c);
  gg_client_free(c);

  // The default search order does not look in the attacker's directory.
  setenv("TMPDIR", dir.c_str(), 1);
  setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);
  unsetenv("GG_AGENT_SOCKET");
  gg_client* d = gg_client_new(nullptr);
  EXPECT_EQ(
      gg_client_authorize(d, kProduct, "SECRET-KEY", nullptr, nullptr, 0, &v),
      GG_ERR_UNAVAILABLE);
  EXPECT_EQ(v.allow, 0);
  EXPECT_EQ(std::string(gg_client_last_error(d)).find(dir), std::string::npos)
      << gg_client_last_error(d);
  gg_client_free(d);
  unsetenv("TMPDIR");
  unsetenv("XDG_RUNTIME_DIR");

  // Nothing reached the attacker so far; an app that names nobody's uid
  // as its agent's does talk to it (the check is what refused it).
  gg_client* e = gg_client_new(path.c_str());
  gg_client_set_agent_uid(e, static_cast<long long>(uid));
  EXPECT_EQ(gg_client_authorize(e, kProduct, "OTHER", nullptr, nullptr, 0, &v),
            GG_OK)
      << gg_client_last_error(e);
  EXPECT_EQ(v.allow, 1);
  gg_client_free(e);
  std::string received;
  char buf[4096];
  ssize_t n = read(seen[0], buf, sizeof(buf));
  if (n > 0) {
    received.assign(buf, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(received.find("SECRET-KEY"), std::string::npos) << received;
  EXPECT_NE(received.find("OTHER"), std::string::npos) << received;

  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(ready[0]);
  close(seen[0]);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace gg::ipc::testing
