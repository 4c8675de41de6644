// The STORAGE_DEVICE_DESCRIPTOR parser (Windows system disk serial) on
// constructed bytes, on every OS.
#include "hwid/storage_descriptor.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace gg::hwid {
namespace {

void PutU32(std::string* b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    (*b)[at + static_cast<std::size_t>(i)] =
        static_cast<char>((v >> (8 * i)) & 0xffu);
}

// A descriptor as an NVMe disk returns it: vendor/product strings, then the
// serial, with bus type NVMe (17).
std::string Descriptor(bool removable, std::uint32_t bus, bool with_serial) {
  std::string b(40, '\0');
  PutU32(&b, 0, 1);  // Version
  b[10] = removable ? 1 : 0;
  PutU32(&b, 16, static_cast<std::uint32_t>(b.size()));  // ProductIdOffset
  b += "Samsung SSD 980 PRO 1TB";
  b.push_back('\0');
  if (with_serial) {
    PutU32(&b, 24, static_cast<std::uint32_t>(b.size()));
    b += "0025_3852_1190_6F4A.";
    b.push_back('\0');
  }
  PutU32(&b, 28, bus);
  PutU32(&b, 4, static_cast<std::uint32_t>(b.size()));
  return b;
}

// The serial, removable flag and bus type are read.
TEST(StorageDescriptorTest, ReadsSerialAndFlags) {
  auto d = ParseStorageDescriptor(Descriptor(false, 17, true));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->serial, "0025_3852_1190_6F4A.");
  EXPECT_FALSE(d->removable);
  EXPECT_EQ(d->bus_type, 17u);
  auto usb = ParseStorageDescriptor(Descriptor(true, kBusTypeUsb, true));
  ASSERT_TRUE(usb.has_value());
  EXPECT_TRUE(usb->removable);
  EXPECT_EQ(usb->bus_type, kBusTypeUsb);
}

// No serial offset is an empty serial; bad offsets and short data fail.
TEST(StorageDescriptorTest, MissingAndBadOffsets) {
  auto none = ParseStorageDescriptor(Descriptor(false, 17, false));
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->serial, "");
  std::string bad = Descriptor(false, 17, true);
  PutU32(&bad, 24, 5000);
  EXPECT_FALSE(ParseStorageDescriptor(bad).has_value());
  PutU32(&bad, 24, 8);  // inside the fixed part
  EXPECT_FALSE(ParseStorageDescriptor(bad).has_value());
  EXPECT_FALSE(ParseStorageDescriptor(std::string(20, '\0')).has_value());
}

}  // namespace
}  // namespace gg::hwid
