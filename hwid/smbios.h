// Pure parser of a raw SMBIOS table as Windows' GetSystemFirmwareTable('RSMB')
// returns it: the RawSMBIOSData header (calling method, major, minor, DMI
// revision, 32-bit little-endian length) followed by the structure table.
// Reads the type 1 (System Information) UUID and serial and the first type 2
// (Baseboard) serial. No I/O; tested with constructed and captured bytes.
#ifndef GG_HWID_SMBIOS_H_
#define GG_HWID_SMBIOS_H_

#include <string>
#include <string_view>

#include "platform/result.h"

namespace gg::hwid {

// Raw strings, not normalised: feed them to AddValue(). Empty when the
// structure or string is missing.
struct SmbiosSystemInfo {
  std::string uuid;            // formatted like Linux product_uuid
  std::string product_serial;  // type 1 serial number
  std::string board_serial;    // type 2 serial number
};

// Errors (code "HWID_SMBIOS") for a truncated header or a structure that
// runs past the end of the table.
[[nodiscard]] Result<SmbiosSystemInfo> ParseRawSmbios(std::string_view rsmb);

// The structure table alone, with the SMBIOS version that decides the UUID
// byte order (2.6 and later: first three fields little-endian, as Linux and
// Windows both print it).
[[nodiscard]] Result<SmbiosSystemInfo> ParseSmbiosTable(std::string_view table,
                                                        int major,
                                                        int minor);

// 16 raw UUID bytes as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lowercase).
std::string FormatSmbiosUuid(std::string_view bytes, bool little_endian_fields);

}  // namespace gg::hwid

#endif  // GG_HWID_SMBIOS_H_
