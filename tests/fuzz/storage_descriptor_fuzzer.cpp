// libFuzzer target for the STORAGE_DEVICE_DESCRIPTOR a disk driver returns
// (Windows IOCTL_STORAGE_QUERY_PROPERTY) and the SCSI VPD page 0x80 (Linux
// vpd_pg80): both are bytes from a device, read for the disk serial.
//
// Invariants: a serial read is NUL-free text that lies inside the buffer,
// past the fixed part, at the offset the descriptor names.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "hwid/normalize.h"
#include "hwid/storage_descriptor.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using gg::fuzz::Check;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto d = gg::hwid::ParseStorageDescriptor(bytes)) {
    Check(d->serial.find('\0') == std::string::npos, "serial holds a NUL");
    if (!d->serial.empty()) {
      std::uint32_t offset = 0;
      for (int i = 3; i >= 0; --i) {
        offset = (offset << 8) | data[24 + i];
      }
      Check(offset >= 32 && offset + d->serial.size() <= size &&
                bytes.substr(offset, d->serial.size()) == d->serial,
            "serial not at the offset the descriptor names");
    }
  }
  if (auto serial = gg::hwid::ParseVpdPage80(bytes)) {
    Check(serial->size() + 4 <= size, "VPD serial longer than the page");
  }
  return 0;
}
