// The agent's internal error codes: one list, so a code cannot drift into
// two spellings. Name() is the stable UPPER_SNAKE text that logs, exit
// messages and `status` show.
//
// These are not the IPC wire codes (ipc/wire_code.h) nor the GeckoGuard
// API's error codes, which arrive as strings from the server and stay
// strings (agent/upstream/types.h Failure::code).
#ifndef GG_PLATFORM_ERROR_CODE_H_
#define GG_PLATFORM_ERROR_CODE_H_

#include <iosfwd>
#include <string_view>

namespace gg {

enum class ErrorCode {
  kIo,               // a read, write or system call failed
  kConfig,           // a setting is wrong (exit 2 where it stops the agent)
  kValidation,       // a value does not have the required shape
  kInsecureFile,     // a state or config file is linked, shared or loose
  kCrypto,           // OpenSSL refused (key, signature, digest)
  kRandom,           // the OS gave no random bytes
  kBadHex,           // text that should be hex is not
  kBadBase64,        // text that should be base64 is not
  kCaps,             // capabilities could not be read or dropped
  kHarden,           // process hardening (no_new_privs, limits) failed
  kAddressInUse,     // another agent answers on the socket or pipe
  kHwidSmbios,       // the SMBIOS tables are missing or malformed
  kHwidNoParts,      // no hardware part could be read
  kHwidEnrollment,   // the enrolled parts are malformed
  kHwidNoRights,     // hardware could not be read for lack of rights
  kStore,            // SQLite failed
  kStoreCorrupt,     // the database failed its check (moved aside)
  kStoreVersion,     // the database is of a newer schema
  kStoreWrite,       // a denial could not be stored; the old row was deleted
  kStoreNotDurable,  // neither could be written: retried
  kSupersededFull,   // the superseded-keys file is at its bound
  kBadVerdict,       // a stored verdict row fails its checks
  kBadRequestBody,   // a signed request body cannot be read back
  kBadResponse,      // the server's answer is malformed
  kBadSignature,     // the server's answer is badly signed
  kInvalidBaseUrl,   // upstream.baseUrl is unusable
  kCurlInit,         // libcurl could not be set up
  kInternal,         // a broken invariant; a bug
  // Test and benchmark programs' own failures (harnesses, fixtures, fakes).
  kHarness,
  kTimeout,   // a harness waited too long
  kClosed,    // a harness's peer closed the connection
  kProtocol,  // a harness's peer broke the protocol
};

std::string_view Name(ErrorCode code);
// For test output and logs: writes Name().
std::ostream& operator<<(std::ostream& out, ErrorCode code);

}  // namespace gg

#endif  // GG_PLATFORM_ERROR_CODE_H_
