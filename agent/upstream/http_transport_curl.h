// The real HttpTransport over libcurl.
//
// Why a dedicated worker thread (a WorkerThread running one long job)
// driving one curl multi handle (and not
// curl multi inside the agent's Asio loop): the agent/ layer must not include
// Asio (only ipc/ and service/ do), and a thread of our own keeps curl's
// socket callbacks, timers and DNS resolver entirely out of the IPC loop, so
// a slow upstream can never stall local answers. The thread sleeps in
// curl_multi_poll() and is woken by curl_multi_wakeup() when a request is
// queued or the transport shuts down. One multi handle means one connection
// cache: HTTP/1.1 keep-alive connections are reused across requests.
//
// TLS: peer and host verification are always on; `ca_file` replaces the
// system CA bundle; `pinned_public_keys` ("sha256//<b64>;sha256//<b64>")
// adds key pinning on top. Proxy: the explicit `proxy` when set, else
// libcurl's own http_proxy/HTTPS_PROXY/NO_PROXY environment handling.
#ifndef GG_AGENT_UPSTREAM_HTTP_TRANSPORT_CURL_H_
#define GG_AGENT_UPSTREAM_HTTP_TRANSPORT_CURL_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/upstream/http_transport.h"
#include "platform/result.h"

namespace gg::upstream {

// One raw header line as libcurl hands it over ("Name: value\r\n") into
// `response.headers` (name lowercased, value trimmed, the last of a
// repeated name kept); lines without ':' are ignored. Exposed for the
// upstream answer fuzzer, which feeds it what a hostile server could send.
void AddHeaderLine(std::string_view line, HttpResponse& response);

struct CurlTransportOptions {
  std::optional<std::string> ca_file;
  std::optional<std::string> pinned_public_keys;
  std::optional<std::string> proxy;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_body_bytes = kMaxResponseBodyBytes;
};

// Starts the worker thread. Errors: "CURL_INIT" when libcurl cannot be
// initialised. The returned transport must be Shutdown() (or destroyed)
// before the objects its callbacks reference go away.
[[nodiscard]] Result<std::unique_ptr<HttpTransport>> CreateCurlTransport(
    const CurlTransportOptions& options);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_HTTP_TRANSPORT_CURL_H_
