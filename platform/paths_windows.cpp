#include "platform/paths.h"

#include <windows.h>

#include <shlobj.h>

namespace gg {
namespace {

std::filesystem::path ProgramData() {
  PWSTR raw = nullptr;
  std::filesystem::path out = L"C:\\ProgramData";
  if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &raw)))
    out = raw;
  CoTaskMemFree(raw);
  return out;
}

}  // namespace

DefaultPaths SystemPaths() {
  std::filesystem::path base = ProgramData() / L"GeckoGuard" / L"Agent";
  return {base / L"config.json", base / L"state", L"\\\\.\\pipe\\gg-agent",
          base / L"logs"};
}

std::filesystem::path UserSocketPath(const std::filesystem::path&) {
  return L"\\\\.\\pipe\\gg-agent";
}

}  // namespace gg
