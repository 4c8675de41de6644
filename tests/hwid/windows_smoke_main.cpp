// A tiny Windows program (not part of the CMake build on Linux): runs the
// Windows collector and the RSMB parser on the machine it runs on and
// prints what it found, values masked. Cross-compiled with mingw-w64 and run
// under wine64 by tests/hwid/wine_smoke.sh.
#include <windows.h>

#include <cstdio>
#include <string>

#include "hwid/collector.h"
#include "hwid/smbios.h"

namespace {
// As hwid/report.h masks (that file needs OpenSSL, which is not linked here).
std::string Mask(const std::string& value) {
  return "****(" + std::to_string(value.size()) + ")";
}
}  // namespace

int main() {
  constexpr DWORD kRsmb =
      (DWORD{'R'} << 24) | (DWORD{'S'} << 16) | (DWORD{'M'} << 8) | DWORD{'B'};
  UINT size = ::GetSystemFirmwareTable(kRsmb, 0, nullptr, 0);
  std::printf("RSMB size: %u\n", size);
  if (size != 0) {
    std::string table(size, '\0');
    UINT got = ::GetSystemFirmwareTable(kRsmb, 0, table.data(), size);
    auto info = gg::hwid::ParseRawSmbios(table.substr(0, got));
    if (info) {
      std::printf("SMBIOS %u.%u uuid %s product_serial %s board_serial %s\n",
                  static_cast<unsigned char>(table[1]),
                  static_cast<unsigned char>(table[2]),
                  Mask(info->uuid).c_str(), Mask(info->product_serial).c_str(),
                  Mask(info->board_serial).c_str());
    } else {
      std::printf("SMBIOS parse error: %s\n", info.error().message.c_str());
    }
  }
  gg::hwid::Collection c = gg::hwid::CollectParts({});
  for (const auto& p : c.parts) {
    std::printf("part %s %s %s\n",
                std::string(gg::hwid::KindName(p.kind)).c_str(),
                Mask(p.value).c_str(), p.source.c_str());
  }
  for (const auto& s : c.skipped) {
    std::printf("skipped %s (%s) %s\n",
                std::string(gg::hwid::KindName(s.kind)).c_str(),
                std::string(gg::hwid::SkipReasonName(s.reason)).c_str(),
                s.source.c_str());
  }
  return c.parts.empty() ? 1 : 0;
}
