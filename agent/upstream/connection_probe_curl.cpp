#include <curl/curl.h>

#include <memory>
#include <string_view>

#include "agent/upstream/connection_probe.h"
#include "agent/upstream/curl_connection.h"

namespace gg::upstream {
namespace {

using Stage = ConnectionProbe::Stage;

Stage StageOf(CURLcode code, bool connected, std::string_view detail) {
  // A proxy refusing the tunnel (407 without credentials, 403) ends the
  // connect phase after TCP to the proxy worked.
  if (code == CURLE_PROXY ||
      detail.find("CONNECT tunnel failed") != std::string_view::npos) {
    return Stage::kProxy;
  }
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Stage::kDns;
    case CURLE_COULDNT_CONNECT:
      return Stage::kConnect;
    default:
      // A timeout or any other failure after TCP connected is the TLS
      // handshake's (the probe does nothing else).
      return IsTlsFailure(code) || connected ? Stage::kTls : Stage::kConnect;
  }
}

}  // namespace

ConnectionProbe ProbeConnection(const std::string& url,
                                const CurlTransportOptions& options) {
  ConnectionProbe probe;
  static const CURLcode global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  std::unique_ptr<CURL, void (*)(CURL*)> easy(
      global_rc == CURLE_OK ? curl_easy_init() : nullptr, &curl_easy_cleanup);
  if (!easy) {
    probe.failed_at = Stage::kConnect;
    probe.error = "cannot initialise libcurl";
    return probe;
  }
  CURL* e = easy.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  bool ok = ApplyConnectionOptions(e, url.c_str(), options);
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer));
  if (!ok) {
    probe.failed_at = Stage::kConnect;
    probe.error = "cannot configure libcurl";
    return probe;
  }
  const CURLcode rc = curl_easy_perform(e);
  curl_off_t dns = 0, connect = 0, tls = 0;
  char* ip = nullptr;
  if (curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns) == CURLE_OK) {
    probe.dns_us = dns;
  }
  if (curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect) == CURLE_OK) {
    probe.connect_us = connect;
  }
  if (curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &tls) == CURLE_OK) {
    probe.tls_us = tls;
  }
  if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
      ip != nullptr) {
    probe.primary_ip = ip;
  }
  if (curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &probe.primary_port) !=
      CURLE_OK) {
    probe.primary_port = 0;
  }
  if (rc != CURLE_OK) {
    probe.failed_at = StageOf(rc, probe.connect_us > 0, error_buffer);
    probe.error = curl_easy_strerror(rc);
    if (error_buffer[0] != '\0') {
      probe.error += std::string(": ") + error_buffer;
    }
  }
  return probe;
}

}  // namespace gg::upstream
