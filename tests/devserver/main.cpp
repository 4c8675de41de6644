// gg-devserver: a local GeckoGuard API for tests and the demo
// (spec/devserver.md). Prints one "listening on http(s)://ADDR:PORT" line on
// stdout when ready, logs each request to stderr, exits 0 on SIGTERM/SIGINT
// and non-zero (naming the field) on bad fixtures.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "tests/devserver/fixtures.h"
#include "tests/devserver/server.h"

namespace {

constexpr char kUsage[] =
    "usage: gg-devserver --fixtures FILE [--listen 127.0.0.1:8787]\n"
    "                    [--tls-cert PEM --tls-key PEM] [--admin-token T]\n";

struct ListenAddress {
  std::string host;
  int port = 0;
};

bool ParseListen(const std::string& text, ListenAddress& out) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) {
    return false;
  }
  out.host = text.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' &&
      out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5) {
    return false;
  }
  out.port = std::stoi(port);
  return !out.host.empty() && out.port <= 65535;
}

}  // namespace

int main(int argc, char** argv) {
  std::string fixtures_path;
  std::string listen = "127.0.0.1:8787";
  gg::devserver::ServerOptions options;
  // A hand-rolled parser: five options do not need CLI11, whose headers trip
  // GCC 12's -Wnull-dereference under -Werror.
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string* target = nullptr;
    if (arg == "--fixtures") {
      target = &fixtures_path;
    } else if (arg == "--listen") {
      target = &listen;
    } else if (arg == "--tls-cert") {
      target = &options.tls_cert;
    } else if (arg == "--tls-key") {
      target = &options.tls_key;
    } else if (arg == "--admin-token") {
      target = &options.admin_token;
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else {
      std::fprintf(stderr, "gg-devserver: unknown argument %s\n%s", arg.c_str(),
                   kUsage);
      return 2;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "gg-devserver: %s needs a value\n", arg.c_str());
      return 2;
    }
    *target = argv[++i];
  }
  if (fixtures_path.empty()) {
    std::fprintf(stderr, "gg-devserver: --fixtures is required\n%s", kUsage);
    return 2;
  }

  if (options.tls_cert.empty() != options.tls_key.empty()) {
    std::fprintf(stderr,
                 "gg-devserver: --tls-cert and --tls-key go together\n");
    return 2;
  }
  ListenAddress address;
  if (!ParseListen(listen, address)) {
    std::fprintf(stderr, "gg-devserver: --listen: expected ADDR:PORT\n");
    return 2;
  }
  auto fixtures = gg::devserver::LoadFixtures(fixtures_path);
  if (!fixtures) {
    std::fprintf(stderr, "gg-devserver: bad fixtures %s: %s\n",
                 fixtures_path.c_str(), fixtures.error().message.c_str());
    return 1;
  }
  options.fixtures = std::move(*fixtures);

  // Signals are taken by one thread with sigwait, so every other thread
  // (httplib's pool included) must start with them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
    std::perror("gg-devserver: pthread_sigmask");
    return 1;
  }
  // A client that hangs up mid-answer must not kill the server.
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
    std::perror("gg-devserver: signal");
    return 1;
  }

  gg::devserver::Server server(std::move(options));
  auto port = server.Bind(address.host, address.port);
  if (!port) {
    std::fprintf(stderr, "gg-devserver: %s\n", port.error().message.c_str());
    return 1;
  }
  std::atomic<bool> done{false};
  std::thread stopper([&server, &done, signals] {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) {
      return;
    }
    // Stop() before the listen loop starts is a no-op in httplib: repeat
    // until Run() has returned.
    while (!done.load()) {
      server.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  std::string host = address.host.find(':') != std::string::npos
                         ? "[" + address.host + "]"
                         : address.host;
  std::printf("listening on %s://%s:%d\n", server.tls() ? "https" : "http",
              host.c_str(), *port);
  std::fflush(stdout);
  bool ok = server.Run();
  done = true;
  // Wake the stopper if no signal came (the listener failed), then join it.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  std::fprintf(stderr, "gg-devserver: stopped\n");
  return ok ? 0 : 1;
}
