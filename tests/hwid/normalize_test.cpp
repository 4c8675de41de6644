// Pure normalisers: DMI strings, placeholders, MAC text, ioreg values, VPD
// page 0x80. Strings in, parts out; no I/O.
#include "hwid/normalize.h"

#include <gtest/gtest.h>

namespace gg::hwid {
namespace {

// Values are trimmed of whitespace and NULs and lower-cased.
TEST(NormalizeTest, TrimsAndLowercases) {
  EXPECT_EQ(NormalizeValue("  4C4C4544-0042\n"), "4c4c4544-0042");
  EXPECT_EQ(NormalizeValue(std::string("C02XK1\0\0", 8)), "c02xk1");
  EXPECT_EQ(NormalizeValue("\t\r\n"), "");
  EXPECT_EQ(NormalizeValue("A b C"), "a b c");
}

// Every placeholder of §5 is recognised, in any case and with separators;
// real values are not.
TEST(NormalizeTest, Placeholders) {
  for (std::string_view raw :
       {"", "Uninitialized", "0", "00000000-0000-0000-0000-000000000000",
        "00:00:00:00:00:00", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "ff:ff:ff:ff:ff:ff", "03000200-0400-0500-0006-000700080009",
        "03020100-0504-0706-0809-0A0B0C0D0E0F",
        "10000000-0000-8000-0040-000000000000", "To Be Filled By O.E.M.",
        "Default String", "NONE", "Not Specified", "0123456789"}) {
    EXPECT_TRUE(IsPlaceholder(NormalizeValue(raw))) << raw;
  }
  for (std::string_view raw : {"4c4c4544-0042-3510-8052-b4c04f395a32",
                               "f5zy2z2", "0123456788", "nonesuch", "f0"}) {
    EXPECT_FALSE(IsPlaceholder(NormalizeValue(raw))) << raw;
  }
}

// AddValue makes a part for a real value, and an absent/placeholder skip
// (never a part) for the others.
TEST(NormalizeTest, AddValueSortsPartsFromSkips) {
  Collection c;
  AddValue(&c, PartKind::kBoardSerial, "/b", " /ABC123/ \n");
  AddValue(&c, PartKind::kProductSerial, "/p", "To be filled by O.E.M.");
  AddValue(&c, PartKind::kFirmwareUuid, "/u", "\n");
  ASSERT_EQ(c.parts.size(), 1u);
  EXPECT_EQ(c.parts[0].value, "/abc123/");
  EXPECT_EQ(c.parts[0].source, "/b");
  ASSERT_EQ(c.skipped.size(), 2u);
  EXPECT_EQ(c.skipped[0].reason, SkipReason::kPlaceholder);
  EXPECT_EQ(c.skipped[1].reason, SkipReason::kAbsent);
}

// MAC text in the usual spellings normalises to one form; malformed and
// multicast addresses are refused.
TEST(NormalizeTest, MacText) {
  EXPECT_EQ(NormalizeMac("8C:EC:4B:12:34:56\n"), "8c:ec:4b:12:34:56");
  EXPECT_EQ(NormalizeMac("8c-ec-4b-12-34-56"), "8c:ec:4b:12:34:56");
  EXPECT_EQ(NormalizeMac("8CEC4B123456"), "8c:ec:4b:12:34:56");
  for (std::string_view bad :
       {"", "8c:ec:4b:12:34", "8c:ec:4b:12:34:56:78", "8c:ec-4b:12:34:56",
        "8cec:4b:12:34:56", "8c:ec:4b:12:34:5g", "01:00:5e:00:00:01",
        "8c:ec:4b:12:34:56:", "80:00:02:08:fe:80:00:00:00:00:00:00:00:00"}) {
    EXPECT_FALSE(NormalizeMac(bad).has_value()) << bad;
  }
  EXPECT_EQ(MacFromBytes(std::string("\xa4\x83\xe7\x01\x02\x03", 6)),
            "a4:83:e7:01:02:03");
  EXPECT_FALSE(MacFromBytes("\x01\x02").has_value());
}

// ioreg output: strings, data and data holding a C string.
TEST(NormalizeTest, IoregValues) {
  const std::string text =
      "+-o J314sAP  <class IOPlatformExpertDevice>\n"
      "    {\n"
      "      \"IOPlatformSerialNumber\" = \"C02XK1ABJG5J\"\n"
      "      \"IOPlatformUUID\" = \"1A2B3C4D-0000-1111-2222-333344445555\"\n"
      "      \"serial-number\" = <\"C02XK1ABJG5J\">\n"
      "      \"IOMACAddress\" = <a483e7010203>\n"
      "      \"note\" = \"mentions \"IOPlatformModel\" inside\"\n"
      "    }\n";
  EXPECT_EQ(ParseIoregValue(text, "IOPlatformUUID"),
            "1A2B3C4D-0000-1111-2222-333344445555");
  EXPECT_EQ(ParseIoregValue(text, "IOPlatformSerialNumber"), "C02XK1ABJG5J");
  EXPECT_EQ(ParseIoregValue(text, "serial-number"), "C02XK1ABJG5J");
  auto mac = ParseIoregValue(text, "IOMACAddress");
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(NormalizeMac(*mac), "a4:83:e7:01:02:03");
  EXPECT_FALSE(ParseIoregValue(text, "IOPlatformModel").has_value());
  EXPECT_FALSE(ParseIoregValue(text, "Missing").has_value());
}

// VPD page 0x80 yields the unit serial; other pages and short data do not.
TEST(NormalizeTest, VpdPage80) {
  std::string page("\x00\x80\x00\x08WD-12345", 12);
  EXPECT_EQ(ParseVpdPage80(page), "WD-12345");
  EXPECT_FALSE(
      ParseVpdPage80(std::string("\x00\x83\x00\x02"
                                 "ab",
                                 6)));
  EXPECT_FALSE(ParseVpdPage80(std::string("\x00\x80\x00\x09WD-12345", 12)));
  EXPECT_FALSE(ParseVpdPage80("ab"));
}

}  // namespace
}  // namespace gg::hwid
