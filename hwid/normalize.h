// Pure parsers and normalisers: strings in, parts out. No I/O, compiled and
// tested on every OS; the per-OS collectors only read and call these.
#ifndef GG_HWID_NORMALIZE_H_
#define GG_HWID_NORMALIZE_H_

#include <optional>
#include <string>
#include <string_view>

#include "hwid/part.h"

namespace gg::hwid {

// Trims whitespace and NULs at both ends (sysfs ends values with "\n",
// SMBIOS and IOKit data pad with spaces or NULs) and lower-cases ASCII.
std::string NormalizeValue(std::string_view raw);

// True for a normalised value that identifies nothing: empty, all zeros, all
// "f" (separators ignored), "uninitialized", and the vendor placeholders of
// spec/agent.md §5 ("to be filled by o.e.m.", "default string", ...).
bool IsPlaceholder(std::string_view normalised);

// Normalises `raw` and appends either a Part or, for an empty value or a
// placeholder, a Skipped entry (absent / placeholder: never "changed").
void AddValue(Collection* out,
              PartKind kind,
              std::string source,
              std::string_view raw);

// A MAC address in the canonical form "aa:bb:cc:dd:ee:ff". Accepts ':' or
// '-' separated octets or 12 bare hex digits, any case, surrounding
// whitespace. nullopt for anything else, including multicast addresses
// (never the permanent address of a card).
std::optional<std::string> NormalizeMac(std::string_view text);

// Formats 6 raw address bytes (Windows PermanentPhysicalAddress, IOKit
// IOMACAddress data); nullopt unless exactly 6 bytes.
std::optional<std::string> MacFromBytes(std::string_view bytes);

// The value of `"key" = ...` in `ioreg -l`-style text: the text inside
// quotes for a string, the hex inside <...> for data, or the quoted text of
// <"..."> (data holding a C string). nullopt when the key is not there.
std::optional<std::string> ParseIoregValue(std::string_view ioreg_text,
                                           std::string_view key);

// The unit serial number from a SCSI VPD page 0x80 (Linux
// /sys/block/*/device/vpd_pg80): 4 header bytes, then ASCII. nullopt when
// the bytes are not such a page.
std::optional<std::string> ParseVpdPage80(std::string_view page);

}  // namespace gg::hwid

#endif  // GG_HWID_NORMALIZE_H_
