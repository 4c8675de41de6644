#include "platform/error_code.h"

#include <ostream>

namespace gg {

std::string_view Name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kIo:
      return "IO";
    case ErrorCode::kConfig:
      return "CONFIG";
    case ErrorCode::kValidation:
      return "VALIDATION_ERROR";
    case ErrorCode::kInsecureFile:
      return "INSECURE_FILE";
    case ErrorCode::kCrypto:
      return "CRYPTO";
    case ErrorCode::kRandom:
      return "RANDOM";
    case ErrorCode::kBadHex:
      return "BAD_HEX";
    case ErrorCode::kBadBase64:
      return "BAD_BASE64";
    case ErrorCode::kCaps:
      return "CAPS";
    case ErrorCode::kHarden:
      return "HARDEN";
    case ErrorCode::kAddressInUse:
      return "ADDRESS_IN_USE";
    case ErrorCode::kHwidSmbios:
      return "HWID_SMBIOS";
    case ErrorCode::kHwidNoParts:
      return "HWID_NO_PARTS";
    case ErrorCode::kHwidEnrollment:
      return "HWID_ENROLLMENT";
    case ErrorCode::kHwidNoRights:
      return "HWID_NO_RIGHTS";
    case ErrorCode::kStore:
      return "STORE";
    case ErrorCode::kStoreCorrupt:
      return "STORE_CORRUPT";
    case ErrorCode::kStoreVersion:
      return "STORE_VERSION";
    case ErrorCode::kStoreWrite:
      return "STORE_WRITE";
    case ErrorCode::kStoreNotDurable:
      return "STORE_NOT_DURABLE";
    case ErrorCode::kSupersededFull:
      return "SUPERSEDED_FULL";
    case ErrorCode::kBadVerdict:
      return "BAD_VERDICT";
    case ErrorCode::kBadRequestBody:
      return "BAD_REQUEST_BODY";
    case ErrorCode::kBadResponse:
      return "BAD_RESPONSE";
    case ErrorCode::kBadSignature:
      return "BAD_SIGNATURE";
    case ErrorCode::kInvalidBaseUrl:
      return "INVALID_BASE_URL";
    case ErrorCode::kCurlInit:
      return "CURL_INIT";
    case ErrorCode::kInternal:
      return "INTERNAL";
    case ErrorCode::kHarness:
      return "HARNESS";
    case ErrorCode::kTimeout:
      return "TIMEOUT";
    case ErrorCode::kClosed:
      return "CLOSED";
    case ErrorCode::kProtocol:
      return "PROTOCOL";
  }
  return "INTERNAL";  // not reached: every value is named above
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) {
  return out << Name(code);
}

}  // namespace gg
