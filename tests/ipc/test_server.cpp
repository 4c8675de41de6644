// gg_ipc_test_server SOCKET_PATH: the real server with the FakeHandler, for
// tests that run real binaries (ggctl). Prints "ready" once listening and
// runs until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>

#include "ipc/server.h"
#include "tests/ipc/fake_handler.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
    return 2;
  }
  asio::io_context io;
  gg::ipc::testing::FakeHandler handler;
  gg::ipc::ServerOptions options;
  options.path = argv[1];
  gg::ipc::Server server(io, handler, options);
  if (auto started = server.Start(); !started) {
    std::fprintf(stderr, "%s\n", started.error().message.c_str());
    return 1;
  }
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](asio::error_code, int) { server.Stop(); });
  std::printf("ready\n");
  std::fflush(stdout);
  io.run();
  return 0;
}
