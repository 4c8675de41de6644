// The socket-free half of the local protocol (spec/ipc.md): NDJSON framing,
// request validation and answer encoding. Pure functions and a small framer
// with no I/O, so every edge case is tested with strings and fuzzed.
#ifndef GG_IPC_PROTOCOL_H_
#define GG_IPC_PROTOCOL_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ipc/request_handler.h"

namespace gg::ipc {

inline constexpr std::size_t kMaxFrameBytes = 65536;  // including the '\n'
inline constexpr int kMaxJsonDepth = 32;

// Splits a byte stream into lines. Not thread-safe; one per connection.
class LineFramer {
 public:
  explicit LineFramer(std::size_t max_frame_bytes = kMaxFrameBytes)
      : max_frame_bytes_(max_frame_bytes) {}

  // Appends `bytes` and moves every complete line (without '\n') to `lines`.
  // Returns false once a line would exceed the limit (including its '\n'):
  // the stream is then unusable and the connection must close.
  [[nodiscard]] bool Feed(std::string_view bytes,
                          std::vector<std::string>& lines);
  // True while an unfinished line is buffered (the partial-line timer runs).
  bool HasPartial() const { return !partial_.empty(); }

 private:
  std::size_t max_frame_bytes_;
  std::string partial_;
  bool broken_ = false;
};

enum class Op {
  kAuthorize,
  kHeartbeat,
  kRelease,
  kStatus,
  kSessions,
  kMetrics,
  kPing
};

struct Request {
  nlohmann::json id;  // number or string, echoed back
  Op op = Op::kPing;
  AuthorizeParams authorize;  // for kAuthorize
  std::string session_id;     // for kHeartbeat, kRelease
};

// A rejected line: the error to answer and the id to echo (null if unknown).
struct RejectedRequest {
  nlohmann::json id;
  ErrorAnswer error;
};

// Parses and validates one line. Never throws.
std::variant<Request, RejectedRequest> ParseRequest(std::string_view line);

// Checks `s` is valid UTF-8 without NUL bytes (pure; exposed for tests).
bool IsValidUtf8(std::string_view s);

// Answer encoders: each returns one line including the trailing '\n'.
std::string EncodeVerdict(const nlohmann::json& id, const Verdict& verdict);
std::string EncodeError(const nlohmann::json& id, const ErrorAnswer& error);
std::string EncodeOk(const nlohmann::json& id);
std::string EncodeStatus(const nlohmann::json& id, const StatusInfo& status);
std::string EncodeSessions(const nlohmann::json& id,
                           const std::vector<SessionInfo>& sessions);
// {"ok":true,"contentType":"text/plain; version=0.0.4","text":"..."}
std::string EncodeMetrics(const nlohmann::json& id, const std::string& text);
std::string EncodeVerdictEvent(const std::string& session_id,
                               const Verdict& verdict);
std::string EncodeShutdownEvent();

ErrorAnswer MakeErrorAnswer(WireCode code, std::string message);

}  // namespace gg::ipc

#endif  // GG_IPC_PROTOCOL_H_
