// Low-level tricks on the socket of a request being handled, for the fault
// actions `drop` and `hang` that cpp-httplib has no API for. Linux only
// (connection_linux.cpp): gg-devserver is test infrastructure for Linux CI.
#ifndef GG_TESTS_DEVSERVER_CONNECTION_H_
#define GG_TESTS_DEVSERVER_CONNECTION_H_

#include <atomic>
#include <chrono>

#include <httplib.h>

namespace gg::devserver {

// Shuts the request's connection down in both directions, so the client sees
// the connection closed without any answer. False when the socket is not
// found.
bool DropConnection(const httplib::Request& req);

// Blocks until the client closes the connection, `stop` becomes true or
// `limit` passes, then drops the connection: the client never gets an answer.
void HangConnection(const httplib::Request& req,
                    const std::atomic<bool>& stop,
                    std::chrono::milliseconds limit);

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_CONNECTION_H_
