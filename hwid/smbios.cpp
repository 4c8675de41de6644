#include "hwid/smbios.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gg::hwid {
namespace {

constexpr std::size_t kRawHeaderSize = 8;
constexpr std::size_t kStructureHeaderSize = 4;
constexpr unsigned kTypeSystem = 1;
constexpr unsigned kTypeBaseboard = 2;
constexpr unsigned kTypeEndOfTable = 127;
// Offsets in the formatted area (DMTF DSP0134).
constexpr std::size_t kSerialOffset = 0x07;  // type 1 and type 2
constexpr std::size_t kUuidOffset = 0x08;    // type 1, 16 bytes
constexpr std::size_t kUuidSize = 16;

unsigned Byte(std::string_view s, std::size_t i) {
  return static_cast<unsigned char>(s[i]);
}

// String number `index` (1-based) of a structure's string set; "" for 0 or
// a number past the set (a broken table must not fail the whole read).
std::string StringAt(const std::vector<std::string_view>& strings,
                     unsigned index) {
  if (index == 0 || index > strings.size())
    return {};
  return std::string(strings[index - 1]);
}

}  // namespace

std::string FormatSmbiosUuid(std::string_view bytes,
                             bool little_endian_fields) {
  if (bytes.size() != kUuidSize)
    return {};
  // Byte order of the output: the first three fields reversed when stored
  // little-endian.
  static constexpr std::size_t kLittle[kUuidSize] = {
      3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < kUuidSize; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out.push_back('-');
    unsigned b = Byte(bytes, little_endian_fields ? kLittle[i] : i);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15u]);
  }
  return out;
}

Result<SmbiosSystemInfo> ParseSmbiosTable(std::string_view table,
                                          int major,
                                          int minor) {
  const bool little_endian_uuid = major > 2 || (major == 2 && minor >= 6);
  SmbiosSystemInfo info;
  bool have_system = false;
  bool have_board = false;
  std::size_t pos = 0;
  while (pos + kStructureHeaderSize <= table.size()) {
    const unsigned type = Byte(table, pos);
    const std::size_t length = Byte(table, pos + 1);
    if (length < kStructureHeaderSize || pos + length > table.size())
      return MakeError(ErrorCode::kHwidSmbios,
                       "SMBIOS structure runs past the table");
    std::string_view formatted = table.substr(pos, length);
    // The string set: NUL-terminated strings ended by an extra NUL; a
    // structure without strings is followed by two NULs.
    std::vector<std::string_view> strings;
    std::size_t i = pos + length;
    if (i + 1 >= table.size())
      return MakeError(ErrorCode::kHwidSmbios,
                       "SMBIOS string set is not terminated");
    if (table[i] == '\0' && table[i + 1] == '\0') {
      i += 2;  // no strings
    } else {
      for (;;) {
        std::size_t end = table.find('\0', i);
        if (end == std::string_view::npos || end + 1 >= table.size())
          return MakeError(ErrorCode::kHwidSmbios,
                           "SMBIOS string set is not terminated");
        strings.push_back(table.substr(i, end - i));
        i = end + 1;
        if (table[i] == '\0') {
          ++i;
          break;
        }
      }
    }
    if (type == kTypeSystem && !have_system) {
      have_system = true;
      if (length > kSerialOffset)
        info.product_serial = StringAt(strings, Byte(formatted, kSerialOffset));
      if (length >= kUuidOffset + kUuidSize) {
        info.uuid = FormatSmbiosUuid(formatted.substr(kUuidOffset, kUuidSize),
                                     little_endian_uuid);
      }
    } else if (type == kTypeBaseboard && !have_board) {
      have_board = true;
      if (length > kSerialOffset)
        info.board_serial = StringAt(strings, Byte(formatted, kSerialOffset));
    }
    pos = i;
    if (type == kTypeEndOfTable)
      break;
  }
  return info;
}

Result<SmbiosSystemInfo> ParseRawSmbios(std::string_view rsmb) {
  if (rsmb.size() < kRawHeaderSize)
    return MakeError(ErrorCode::kHwidSmbios,
                     "RSMB data shorter than its header");
  const int major = static_cast<int>(Byte(rsmb, 1));
  const int minor = static_cast<int>(Byte(rsmb, 2));
  const std::uint32_t length =
      Byte(rsmb, 4) | (Byte(rsmb, 5) << 8) | (Byte(rsmb, 6) << 16) |
      (static_cast<std::uint32_t>(Byte(rsmb, 7)) << 24);
  if (length > rsmb.size() - kRawHeaderSize)
    return MakeError(ErrorCode::kHwidSmbios,
                     "RSMB length exceeds the data returned");
  return ParseSmbiosTable(rsmb.substr(kRawHeaderSize, length), major, minor);
}

}  // namespace gg::hwid
