// Internal to libggclient: a blocking byte stream to the agent with
// deadlines, one implementation per OS (transport_posix.cpp,
// transport_windows.cpp), and the default endpoint (endpoint_linux.cpp,
// endpoint_macos.cpp, transport_windows.cpp). A Transport is used by one
// thread at a time, except WaitReadable, which the watcher thread calls
// without the handle's lock while it holds its own reference.
#ifndef GG_IPC_CLIENT_TRANSPORT_H_
#define GG_IPC_CLIENT_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gg::client_internal {

class Transport {
 public:
  virtual ~Transport() = default;
  // Each returns false on failure or timeout, with `error` set.
  virtual bool WriteAll(std::string_view data,
                        int timeout_ms,
                        std::string& error) = 0;
  // Appends what is available to `out`, waiting up to timeout_ms. Returns
  // false on EOF/error; true with nothing appended on timeout.
  virtual bool ReadSome(std::string& out,
                        int timeout_ms,
                        std::string& error) = 0;
  // Waits up to timeout_ms until a read would not block (data, EOF or an
  // error). Does not consume anything.
  virtual bool WaitReadable(int timeout_ms) = 0;
  // What an event loop waits on: the fd (POSIX), -1 where there is none.
  virtual std::intptr_t WaitHandle() const = 0;
};

// nullptr with `error` set when the agent cannot be reached, or when the
// peer is not who an agent may be: root, this process's user, `agent_uid`
// (-1: none) or the "gg-agent" system user (POSIX; Windows relies on the
// pipe's ACL).
std::unique_ptr<Transport> Connect(const std::string& path,
                                   int timeout_ms,
                                   long long agent_uid,
                                   std::string& error);
// The endpoint when the caller gave none: GG_AGENT_SOCKET, else the
// per-OS default (system socket first; see gg/client.h).
std::string DefaultEndpoint();

}  // namespace gg::client_internal

#endif  // GG_IPC_CLIENT_TRANSPORT_H_
