// ggctl: a command-line client of the local agent, built on libggclient.
// Exit codes: 0 allow/ok, 3 deny, 1 any error (agent unreachable included).
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "gg/client.h"

namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitDeny = 3;

std::string Text(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) {
    return "-";
  }
  const json& v = j.at(key);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void PrintRateLimit(const json& a) {
  if (!a.contains("rateLimit") || !a.at("rateLimit").is_object()) {
    std::cout << "rate limit:       -\n";
    return;
  }
  const json& r = a.at("rateLimit");
  std::string left;
  if (r.contains("remaining") && r.at("remaining").is_object()) {
    for (const auto& [bucket, n] : r.at("remaining").items()) {
      left += (left.empty() ? "" : ", ") + (bucket.empty() ? "all" : bucket) +
              " " + n.dump();
    }
  }
  std::cout << "rate limit:       remaining " << (left.empty() ? "-" : left)
            << "; limit " << Text(r, "limit") << "; reset " << Text(r, "reset")
            << "; retry-after " << Text(r, "retryAfterSeconds") << " s (seen "
            << Text(r, "observedAt") << ")\n";
}

void PrintStatus(const json& a) {
  std::cout << "version:          " << Text(a, "version") << "\n"
            << "instance:         " << Text(a, "instanceId") << "\n"
            << "machine:          " << Text(a, "machineFingerprint") << "\n";
  const bool has_error =
      a.contains("lastError") && a.at("lastError").is_object();
  // Online means the last attempt got a verdict; offline says since when.
  std::cout << "online:           " << Text(a, "online");
  if (has_error) {
    std::cout << " (failing since " << Text(a.at("lastError"), "since") << ", "
              << Text(a.at("lastError"), "failedAttempts")
              << " failed attempts)";
  }
  std::cout << "\n"
            << "last attempt:     " << Text(a, "lastAttemptAt") << "\n"
            << "last contact:     " << Text(a, "lastContactAt") << "\n";
  if (has_error) {
    const json& e = a.at("lastError");
    std::cout << "last error:       " << Text(e, "code") << ": "
              << Text(e, "message");
    // A failure that never reached the server has no x-request-id.
    if (const std::string id = Text(e, "requestId"); !id.empty() && id != "-")
      std::cout << " (request " << id << ")";
    std::cout << " at " << Text(e, "at") << "\n";
  } else {
    std::cout << "last error:       -\n";
  }
  PrintRateLimit(a);
  if (a.contains("storeError") && a.at("storeError").is_object()) {
    const json& e = a.at("storeError");
    std::cout << "store error:      " << Text(e, "code") << ": "
              << Text(e, "message") << "\n";
  }
  std::cout << "sessions:         " << Text(a, "sessions") << "\n"
            << "cached verdicts:  " << Text(a, "cachedVerdicts") << " ("
            << Text(a, "verdictsInMemory") << " in memory)\n"
            << "uptime (s):       " << Text(a, "uptimeSeconds") << "\n";
}

void PrintSessions(const json& a) {
  const json rows = a.contains("sessions") ? a.at("sessions") : json::array();
  if (!rows.is_array() || rows.empty()) {
    std::cout << "no sessions\n";
    return;
  }
  for (const json& s : rows) {
    std::string app = "-";
    if (s.contains("app") && s.at("app").is_object()) {
      app = Text(s.at("app"), "name") + " " + Text(s.at("app"), "version");
    }
    std::cout << Text(s, "sessionId") << "  product " << Text(s, "productId")
              << "  pid " << Text(s, "pid") << "  uid " << Text(s, "uid")
              << "  app " << app << "  opened " << Text(s, "openedAt")
              << "  last seen " << Text(s, "lastSeenAt") << "\n";
  }
}

// The client library's answer rule decides, so ggctl and apps agree: an
// allow only for ok true, allow true, no reasonCode and no error.
void PrintVerdict(const gg_verdict& v) {
  if (v.allow) {
    std::cout << "allow: " << v.message << " (source " << v.source
              << ", expires " << v.effective_expires_at << ", grace until "
              << v.grace_ends_at << ")\n";
  } else {
    std::cout << "deny: " << v.reason_code << ": " << v.message << " (source "
              << v.source << ")\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ggctl: talk to the local GeckoGuard agent"};
  std::string socket_path;
  bool as_json = false;
  app.add_option(
      "--socket", socket_path,
      "agent socket (default: $GG_AGENT_SOCKET, then the system one)");
  app.add_flag("--json", as_json, "print the agent's raw JSON answer");
  app.require_subcommand(1);
  auto* status = app.add_subcommand("status", "the agent's state");
  auto* sessions = app.add_subcommand(
      "sessions", "open sessions (root or the agent's user)");
  auto* metrics = app.add_subcommand(
      "metrics",
      "counters and gauges in Prometheus text format (root or the agent's "
      "user)");
  auto* ping = app.add_subcommand("ping", "is the agent answering");
  auto* check =
      app.add_subcommand("check", "authorize once; exit 0 allow, 3 deny");
  std::string product_id;
  std::string license_key;
  check->add_option("PRODUCT_ID", product_id)->required();
  check->add_option("LICENSE_KEY", license_key)->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }

  json request;
  if (status->parsed()) {
    request = {{"op", "status"}};
  } else if (sessions->parsed()) {
    request = {{"op", "sessions"}};
  } else if (metrics->parsed()) {
    request = {{"op", "metrics"}};
  } else if (ping->parsed()) {
    request = {{"op", "ping"}};
  } else {
    request = {{"op", "authorize"},
               {"productId", product_id},
               {"licenseKey", license_key},
               {"app", {{"name", "ggctl"}, {"version", "1"}}}};
  }

  gg_client* client =
      gg_client_new(socket_path.empty() ? nullptr : socket_path.c_str());
  if (client == nullptr) {
    std::cerr << "ggctl: out of memory\n";
    return kExitError;
  }
  char* raw = nullptr;
  int rc = gg_client_call_json(client, request.dump().c_str(), &raw);
  std::string error = gg_client_last_error(client);
  gg_client_free(client);  // closes the connection: a check's session ends
  if (raw == nullptr) {
    std::cerr << "ggctl: " << gg_client_strerror(rc) << ": " << error << "\n";
    return kExitError;
  }
  std::string line(raw);
  gg_client_string_free(raw);
  json answer = json::parse(line, nullptr, false);
  if (as_json) {
    std::cout << line << "\n";
  }
  if (answer.is_discarded() || !answer.is_object()) {
    std::cerr << "ggctl: malformed answer from the agent\n";
    return kExitError;
  }
  if (check->parsed()) {
    gg_verdict v{};
    int verdict_rc = gg_verdict_from_json(line.c_str(), &v);
    if (verdict_rc == GG_ERR_REQUEST) {
      if (!as_json) {
        std::cerr << "ggctl: " << v.error_code << ": " << v.message << "\n";
      }
      return kExitError;
    }
    if (!as_json) {
      PrintVerdict(v);
    }
    return v.allow ? kExitOk : kExitDeny;
  }
  if (answer.contains("error")) {
    if (!as_json) {
      const json& e = answer.at("error");
      std::cerr << "ggctl: " << Text(e, "code") << ": " << Text(e, "message")
                << "\n";
    }
    return kExitError;
  }
  if (!as_json) {
    if (status->parsed()) {
      PrintStatus(answer);
    } else if (sessions->parsed()) {
      PrintSessions(answer);
    } else if (metrics->parsed()) {
      // The text as the agent made it: ready for a scraper or a pipe.
      std::cout << (answer.contains("text") && answer.at("text").is_string()
                        ? answer.at("text").get<std::string>()
                        : std::string());
    } else {
      std::cout << "ok\n";
    }
  }
  return kExitOk;
}
