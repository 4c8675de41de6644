#include "hwid/storage_descriptor.h"

#include <cstddef>
#include <cstdint>

namespace gg::hwid {
namespace {

constexpr std::size_t kRemovableOffset = 10;
constexpr std::size_t kSerialOffsetField = 24;
constexpr std::size_t kBusTypeField = 28;
constexpr std::size_t kFixedSize = 32;

std::uint32_t U32(std::string_view b, std::size_t at) {
  auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i]));
  };
  return byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24);
}

}  // namespace

std::optional<StorageDescriptor> ParseStorageDescriptor(
    std::string_view bytes) {
  if (bytes.size() < kFixedSize)
    return std::nullopt;
  StorageDescriptor out;
  out.removable = bytes[kRemovableOffset] != 0;
  out.bus_type = U32(bytes, kBusTypeField);
  std::uint32_t offset = U32(bytes, kSerialOffsetField);
  if (offset == 0)
    return out;
  if (offset < kFixedSize || offset >= bytes.size())
    return std::nullopt;
  std::string_view rest = bytes.substr(offset);
  out.serial = std::string(rest.substr(0, rest.find('\0')));
  return out;
}

}  // namespace gg::hwid
