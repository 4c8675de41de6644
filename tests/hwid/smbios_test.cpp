// The SMBIOS parser on RSMB bytes as GetSystemFirmwareTable returns them.
#include "hwid/smbios.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gg::hwid {
namespace {

// One structure: formatted area then its string set.
std::string Structure(std::uint8_t type,
                      const std::string& body,  // after the 4-byte header
                      const std::vector<std::string>& strings) {
  std::string s;
  s.push_back(static_cast<char>(type));
  s.push_back(static_cast<char>(4 + body.size()));
  s.push_back('\x10');  // handle
  s.push_back(static_cast<char>(type));
  s += body;
  if (strings.empty()) {
    s.append(2, '\0');
  } else {
    for (const std::string& str : strings) {
      s += str;
      s.push_back('\0');
    }
    s.push_back('\0');
  }
  return s;
}

std::string Rsmb(std::uint8_t major,
                 std::uint8_t minor,
                 const std::string& table) {
  std::string s;
  s.push_back('\0');
  s.push_back(static_cast<char>(major));
  s.push_back(static_cast<char>(minor));
  s.push_back('\0');
  auto n = static_cast<std::uint32_t>(table.size());
  for (int i = 0; i < 4; ++i)
    s.push_back(static_cast<char>((n >> (8 * i)) & 0xffu));
  return s + table;
}

const std::string kUuidBytes(
    "\x44\x45\x4c\x4c\x42\x00\x10\x35\x80\x52\xb4\xc0\x4f\x39\x5a\x32",
    16);

// A table laid out as a Dell laptop's: BIOS (0), System (1), Baseboard (2),
// chassis (3, no strings), end (127).
std::string LaptopTable() {
  std::string bios = Structure(
      0, std::string("\x01\x02\x00\xf0\x03\xff", 6) + std::string(12, '\0'),
      {"Dell Inc.", "1.19.0", "09/14/2023"});
  // Manufacturer 1, product 2, no version, serial 3, UUID, wake-up, SKU 4,
  // family 5.
  std::string system = Structure(
      1, std::string("\x01\x02\x00\x03", 4) + kUuidBytes + "\x06\x04\x05",
      {"Dell Inc.", "Latitude 7420", "F5ZY2Z2", "0A1F", "Latitude"});
  std::string board =
      Structure(2, std::string("\x01\x02\x03\x04\x00\x09\x00", 7),
                {"Dell Inc.", "07MHG4", "A00", "/F5ZY2Z2/CNFCW0083B00AD/"});
  std::string chassis =
      Structure(3, std::string("\x00\x0a\x00\x00\x00", 5), {});
  std::string end = Structure(127, "", {});
  return bios + system + board + chassis + end;
}

// Type 1 UUID and serial and the type 2 serial are read; SMBIOS 3.x stores
// the first three UUID fields little-endian, as Linux prints them.
TEST(SmbiosTest, ReadsSystemAndBoard) {
  auto info = ParseRawSmbios(Rsmb(3, 2, LaptopTable()));
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->uuid, "4c4c4544-0042-3510-8052-b4c04f395a32");
  EXPECT_EQ(info->product_serial, "F5ZY2Z2");
  EXPECT_EQ(info->board_serial, "/F5ZY2Z2/CNFCW0083B00AD/");
}

// Before SMBIOS 2.6 the UUID bytes are in network order.
TEST(SmbiosTest, OldVersionUuidByteOrder) {
  auto info = ParseRawSmbios(Rsmb(2, 4, LaptopTable()));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->uuid, "44454c4c-4200-1035-8052-b4c04f395a32");
}

// A string number of 0 or past the set is an empty value, not a failure;
// a missing type 2 leaves the board serial empty.
TEST(SmbiosTest, MissingStringsAndStructures) {
  std::string system = Structure(
      1, std::string("\x01\x02\x03\x07", 4) + kUuidBytes + "\x06\x00\x00",
      {"QEMU", "Standard PC (i440FX + PIIX, 1996)", "pc-i440fx-8.2"});
  auto info = ParseRawSmbios(Rsmb(3, 0, system + Structure(127, "", {})));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->product_serial, "");
  EXPECT_EQ(info->board_serial, "");
  EXPECT_FALSE(info->uuid.empty());
}

// Truncated data is an error, never an out-of-bounds read.
TEST(SmbiosTest, TruncatedTablesFail) {
  std::string rsmb = Rsmb(3, 2, LaptopTable());
  EXPECT_FALSE(ParseRawSmbios(rsmb.substr(0, 5)).has_value());
  // Header claims more bytes than were returned.
  EXPECT_FALSE(ParseRawSmbios(rsmb.substr(0, rsmb.size() - 1)).has_value());
  // Every cut of the table parses or fails cleanly (ASan would see an
  // overread), and never yields the board serial before its bytes are in.
  std::string table = LaptopTable();
  const std::string serial = "/F5ZY2Z2/CNFCW0083B00AD/";
  const std::size_t serial_end = table.find(serial) + serial.size();
  for (std::size_t n = 0; n < table.size(); ++n) {
    auto info = ParseSmbiosTable(table.substr(0, n), 3, 2);
    if (info.has_value() && n < serial_end) {
      EXPECT_NE(info->board_serial, serial) << n;
    }
  }
  // A structure whose length runs past the end.
  std::string bad("\x01\x40\x00\x00", 4);
  EXPECT_FALSE(ParseSmbiosTable(bad, 3, 2).has_value());
}

}  // namespace
}  // namespace gg::hwid
