// Pure parser of the STORAGE_DEVICE_DESCRIPTOR that Windows'
// IOCTL_STORAGE_QUERY_PROPERTY (StorageDeviceProperty) returns, so the disk
// serial logic is tested on every OS. Layout (winioctl.h, little-endian):
// Version u32, Size u32, DeviceType u8, DeviceTypeModifier u8,
// RemovableMedia u8, CommandQueueing u8, VendorIdOffset u32,
// ProductIdOffset u32, ProductRevisionOffset u32, SerialNumberOffset u32,
// BusType u32, ... ; offsets point at NUL-terminated ASCII in the buffer.
#ifndef GG_HWID_STORAGE_DESCRIPTOR_H_
#define GG_HWID_STORAGE_DESCRIPTOR_H_

#include <optional>
#include <string>
#include <string_view>

namespace gg::hwid {

// STORAGE_BUS_TYPE values we act on.
inline constexpr unsigned kBusTypeUsb = 7;

struct StorageDescriptor {
  bool removable = false;
  unsigned bus_type = 0;
  std::string serial;  // raw, empty when the offset is 0
};

// nullopt when `bytes` is too short for the fixed part or an offset points
// outside it.
std::optional<StorageDescriptor> ParseStorageDescriptor(std::string_view bytes);

}  // namespace gg::hwid

#endif  // GG_HWID_STORAGE_DESCRIPTOR_H_
