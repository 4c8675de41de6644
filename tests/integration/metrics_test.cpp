// End to end, metrics: `ggctl metrics` against the real agent prints the
// Prometheus text with what happened, and metrics.textfile is written (and
// rewritten) for node_exporter's textfile collector.
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One online allow, one cached allow, one online denial: ggctl metrics
// shows each under its labels, the upstream attempts, the sessions and the
// product's offline grace; the textfile carries the same families.
TEST_F(E2eTest, GgctlMetricsAndTextfile) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"metrics", {{"intervalSeconds", 1}}}}, false));
  const auto textfile = agent_->Dir() / "gg-agent.prom";
  AgentOptions options;
  options.base_url = server_->BaseUrl();
  options.config_patch = {
      {"metrics", {{"textfile", textfile.string()}, {"intervalSeconds", 1}}}};
  ASSERT_TRUE(agent_->WriteConfig(options));
  ASSERT_TRUE(agent_->Start());
  auto client = Connect();
  ASSERT_TRUE(client);
  ASSERT_EQ(
      AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001").value("source", ""),
      "online");
  auto held = client->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(held && held->value("source", "") == "cache") << held->dump();
  ASSERT_EQ(
      AuthorizeOnce(*client, kProduct, "DEMO-REVOKED").value("reasonCode", ""),
      "LICENSE_REVOKED");

  auto run = agent_->RunGgctl({"metrics"});
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->code, 0) << run->output;
  const std::string& text = run->output;
  for (const char* line :
       {"# TYPE gg_agent_answers_total counter\n",
        "gg_agent_answers_total{op=\"authorize\",source=\"online\","
        "result=\"allow\",code=\"\"} 1\n",
        "gg_agent_answers_total{op=\"authorize\",source=\"cache\","
        "result=\"allow\",code=\"\"} 1\n",
        "gg_agent_answers_total{op=\"authorize\",source=\"online\","
        "result=\"deny\",code=\"LICENSE_REVOKED\"} 1\n",
        "gg_agent_upstream_requests_total{outcome=\"allow\",class=\"verdict\"}"
        " 1\n",
        "gg_agent_upstream_requests_total{outcome=\"deny\",class=\"verdict\"}"
        " 1\n",
        "gg_agent_answer_duration_seconds_count{path=\"cached\"} 1\n",
        "gg_agent_answer_duration_seconds_count{path=\"upstream\"} 2\n",
        "gg_agent_sessions 1\n", "gg_agent_cached_verdicts 2\n",
        "gg_agent_upstream_online 1\n",
        "gg_agent_offline_grace_ends_at_seconds{product_id=\"7d7b5f0e-3c1a-"
        "4a52-9f0e-2b9e6c1d4a10\"} ",
        "gg_agent_store_errors_total{op=\"put_verdict\"} 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  auto raw = agent_->RunGgctl({"--json", "metrics"});
  ASSERT_TRUE(raw) << raw.error().message;
  auto answer = json::parse(raw->output, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << raw->output;
  EXPECT_EQ(answer.value("contentType", ""), "text/plain; version=0.0.4");

  // The file appears, world-readable, and follows the counters.
  std::string file;
  ASSERT_TRUE(PollUntil(
      [&] {
        file = ReadAll(textfile);
        return file.find("result=\"deny\",code=\"LICENSE_REVOKED\"} 1") !=
               std::string::npos;
      },
      seconds(20)))
      << file;
  struct stat st {};
  ASSERT_EQ(::stat(textfile.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_FALSE(std::filesystem::exists(textfile.string() + ".tmp"));
  ASSERT_TRUE(held->contains("sessionId"));
  ASSERT_TRUE(
      client->Call({{"op", "release"}, {"sessionId", (*held)["sessionId"]}}));
  ASSERT_TRUE(PollUntil(
      [&] {
        file = ReadAll(textfile);
        return file.find("gg_agent_sessions 0\n") != std::string::npos;
      },
      seconds(20)))
      << file;
}

}  // namespace
}  // namespace gg::e2e
