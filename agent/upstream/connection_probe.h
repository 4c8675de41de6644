// One connection to the API host the way the agent's transport makes it
// (same CA, pins, proxy, timeouts, verification), stopped after the TLS
// handshake: `gg-agent doctor` reads which stage failed and how long each
// took. Blocking; for the doctor only, never on the agent's paths.
#ifndef GG_AGENT_UPSTREAM_CONNECTION_PROBE_H_
#define GG_AGENT_UPSTREAM_CONNECTION_PROBE_H_

#include <string>

#include "agent/upstream/http_transport_curl.h"

namespace gg::upstream {

struct ConnectionProbe {
  enum class Stage { kDns, kConnect, kProxy, kTls, kDone };
  Stage failed_at = Stage::kDone;  // kDone: every stage succeeded
  std::string error;               // curl's message for the failed stage
  std::string primary_ip;          // what the TCP connection went to
  long primary_port = 0;           // (the proxy, when one is used)
  long long dns_us = 0;            // times from the start, microseconds
  long long connect_us = 0;
  long long tls_us = 0;  // 0 for http
};

ConnectionProbe ProbeConnection(const std::string& url,
                                const CurlTransportOptions& options);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_CONNECTION_PROBE_H_
