#include "agent/upstream/curl_connection.h"

namespace gg::upstream {

bool ApplyConnectionOptions(CURL* e,
                            const char* url,
                            const CurlTransportOptions& options) {
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(e, CURLOPT_URL, url));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options.connect_timeout.count())));
  set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                       static_cast<long>(options.request_timeout.count())));
  // Verification is never switched off, whatever else fails.
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L));
  if (options.ca_file) {
    set(curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file->c_str()));
  }
  if (options.pinned_public_keys) {
    set(curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY,
                         options.pinned_public_keys->c_str()));
  }
  if (options.proxy) {
    set(curl_easy_setopt(e, CURLOPT_PROXY, options.proxy->c_str()));
  }
  return ok;
}

bool IsTlsFailure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return true;
    default:
      return false;
  }
}

}  // namespace gg::upstream
