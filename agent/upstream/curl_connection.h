// What every libcurl handle of the agent shares: the connection settings
// (only http and https, no signals, the timeouts, TLS verification always
// on, the CA file, the pins, the proxy) and the failures that are TLS's.
// The transport and doctor's connection probe both use these, so the probe
// tests the very connection the agent makes.
#ifndef GG_AGENT_UPSTREAM_CURL_CONNECTION_H_
#define GG_AGENT_UPSTREAM_CURL_CONNECTION_H_

#include <curl/curl.h>

#include "agent/upstream/http_transport_curl.h"

namespace gg::upstream {

// Sets `url` and the connection settings of `options` on `easy`; false
// when libcurl refused any of them (the handle must then not be used).
[[nodiscard]] bool ApplyConnectionOptions(CURL* easy,
                                          const char* url,
                                          const CurlTransportOptions& options);

// True for the codes that mean the TLS handshake or its checks failed.
bool IsTlsFailure(CURLcode code);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_CURL_CONNECTION_H_
