#include <curl/curl.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include <spdlog/version.h>
#include <nlohmann/json.hpp>

#include "service/commands.h"

namespace gg::service {

int VersionCommand(std::ostream& out) {
  out << "gg-agent " << kAgentVersion << "\n";
  out << "  " << OpenSSL_version(OPENSSL_VERSION) << "\n";
  out << "  libcurl " << curl_version_info(CURLVERSION_NOW)->version << "\n";
  out << "  SQLite " << sqlite3_libversion() << "\n";
  out << "  spdlog " << SPDLOG_VER_MAJOR << "." << SPDLOG_VER_MINOR << "."
      << SPDLOG_VER_PATCH << "\n";
  out << "  nlohmann/json " << NLOHMANN_JSON_VERSION_MAJOR << "."
      << NLOHMANN_JSON_VERSION_MINOR << "." << NLOHMANN_JSON_VERSION_PATCH
      << "\n";
  return kExitOk;
}

}  // namespace gg::service
