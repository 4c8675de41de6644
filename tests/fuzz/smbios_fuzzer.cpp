// libFuzzer target for the raw SMBIOS table (Windows' RSMB firmware table:
// header, then structures) and the normalisation of the strings read from
// it, the input of the hardware ID.
//
// Invariants: the UUID is empty or 36 lowercase hex-and-dash characters;
// every serial is text that occurs in the input; normalising is
// idempotent, and a MAC normalised once normalises to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hwid/normalize.h"
#include "hwid/smbios.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using gg::fuzz::Check;

void CheckNormalized(std::string_view raw) {
  const std::string once = gg::hwid::NormalizeValue(raw);
  Check(gg::hwid::NormalizeValue(once) == once,
        "NormalizeValue is not idempotent");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto info = gg::hwid::ParseRawSmbios(bytes);
  if (info) {
    const std::string& uuid = info->uuid;
    Check(uuid.empty() || uuid.size() == 36, "UUID of the wrong length");
    for (std::size_t i = 0; i < uuid.size(); ++i) {
      const char c = uuid[i];
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      Check(dash ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'),
            "UUID not in lowercase 8-4-4-4-12 form");
    }
    for (const std::string* serial :
         {&info->product_serial, &info->board_serial}) {
      Check(bytes.find(*serial) != std::string_view::npos,
            "a serial that is not in the table");
      CheckNormalized(*serial);
    }
  } else {
    Check(info.error().code == gg::ErrorCode::kHwidSmbios,
          "SMBIOS error without code");
  }
  CheckNormalized(bytes);
  if (auto mac = gg::hwid::NormalizeMac(bytes)) {
    Check(gg::hwid::NormalizeMac(*mac) == mac, "NormalizeMac not idempotent");
  }
  return 0;
}
