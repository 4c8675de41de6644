// Internal to libggclient: a blocking byte stream to the agent with
// deadlines, one implementation per OS (transport_posix.cpp,
// transport_windows.cpp). Not thread-safe.
#ifndef GG_IPC_CLIENT_TRANSPORT_H_
#define GG_IPC_CLIENT_TRANSPORT_H_

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
};

// nullptr with `error` set when the agent cannot be reached.
std::unique_ptr<Transport> Connect(const std::string& path,
                                   int timeout_ms,
                                   std::string& error);
// The endpoint when the caller gave none: GG_AGENT_SOCKET, else the
// per-OS default.
std::string DefaultEndpoint();

}  // namespace gg::client_internal

#endif  // GG_IPC_CLIENT_TRANSPORT_H_
