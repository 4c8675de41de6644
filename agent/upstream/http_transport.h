// HttpTransport: the seam between the upstream client and the network.
//
// One request in, one answer out, asynchronously: either the HTTP response
// (any status) or a TransportError naming what went wrong on the way. The
// real implementation is libcurl (http_transport_curl.h); tests use
// tests/fakes/fake_http_transport.h. The transport knows nothing of signing
// or of the GeckoGuard API.
#ifndef GG_AGENT_UPSTREAM_HTTP_TRANSPORT_H_
#define GG_AGENT_UPSTREAM_HTTP_TRANSPORT_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace gg::upstream {

// Responses larger than this are refused (upstream.md: oversized bodies are
// a transient failure, never parsed).
inline constexpr std::size_t kMaxResponseBodyBytes = 64 * 1024;

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  // Sent in this order; names as written.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  // Header names lowercased; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;
  std::string body;

  // The value of header `lower_name` (lowercase), or "" when absent.
  std::string Header(std::string_view lower_name) const {
    auto it = headers.find(std::string(lower_name));
    return it == headers.end() ? std::string() : it->second;
  }
};

enum class TransportErrorKind {
  kDns,       // name resolution failed
  kConnect,   // TCP connect refused or unreachable
  kTls,       // handshake, certificate, or pinned-key failure
  kTimeout,   // connect or whole-request timeout
  kTooLarge,  // body above kMaxResponseBodyBytes
  kProtocol,  // connection dropped, empty or truncated answer
  kShutdown,  // the transport was shut down before an answer
  kOther,
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::kOther;
  std::string message;  // for logs; never contains request headers
};

using TransportResult = tl::expected<HttpResponse, TransportError>;

class HttpTransport {
 public:
  using Callback = std::function<void(TransportResult)>;
  virtual ~HttpTransport() = default;

  // Sends `request`; `done` is called exactly once, on the transport's own
  // thread (or, for fakes, possibly inside Send). Thread-safe; never blocks
  // on the network.
  virtual void Send(HttpRequest request, Callback done) = 0;

  // Aborts every request in flight (each `done` runs with kShutdown) and
  // stops the transport's thread. Later Sends fail with kShutdown.
  // Idempotent; must not be called from inside a `done`.
  virtual void Shutdown() = 0;
};

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_HTTP_TRANSPORT_H_
