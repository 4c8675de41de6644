// Windows collector: MachineGuid (64-bit registry view), SMBIOS through
// GetSystemFirmwareTable('RSMB'), physical adapters' permanent addresses
// through GetIfTable2, and the system disk's serial through
// IOCTL_STORAGE_QUERY_PROPERTY. None of these needs Administrator.
// CollectOptions::root is ignored here.
// winsock2.h before windows.h, and both before the IP helper headers.
// clang-format off
#include <winsock2.h>
#include <ws2ipdef.h>
#include <windows.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include <winioctl.h>
// clang-format on

#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "hwid/collector.h"
#include "hwid/normalize.h"
#include "hwid/smbios.h"
#include "hwid/storage_descriptor.h"

namespace gg::hwid {
namespace {

constexpr DWORD kRsmb =
    (DWORD{'R'} << 24) | (DWORD{'S'} << 16) | (DWORD{'M'} << 8) | DWORD{'B'};

std::string ToUtf8(const wchar_t* text, int length) {
  if (length <= 0)
    return {};
  int size = ::WideCharToMultiByte(CP_UTF8, 0, text, length, nullptr, 0,
                                   nullptr, nullptr);
  if (size <= 0)
    return {};
  std::string out(static_cast<std::size_t>(size), '\0');
  if (::WideCharToMultiByte(CP_UTF8, 0, text, length, out.data(), size, nullptr,
                            nullptr) != size)
    return {};
  return out;
}

SkipReason ReasonOf(DWORD error) {
  if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND)
    return SkipReason::kAbsent;
  if (error == ERROR_ACCESS_DENIED)
    return SkipReason::kNeedsRoot;
  return SkipReason::kUnreadable;
}

// A HANDLE closed on scope exit.
class Handle {
 public:
  explicit Handle(HANDLE h) : h_(h) {}
  ~Handle() {
    if (valid())
      ::CloseHandle(h_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  bool valid() const { return h_ != INVALID_HANDLE_VALUE && h_ != nullptr; }
  HANDLE get() const { return h_; }

 private:
  HANDLE h_;
};

void ReadMachineGuid(Collection* out) {
  const std::string source =
      "HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid";
  HKEY key = nullptr;
  // A 32-bit process would otherwise read the WOW6432Node copy.
  LONG rc =
      ::RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Cryptography",
                      0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &key);
  if (rc != ERROR_SUCCESS) {
    out->skipped.push_back(
        {PartKind::kOsInstall, source, ReasonOf(static_cast<DWORD>(rc))});
    return;
  }
  wchar_t buffer[128] = {};
  DWORD type = 0;
  DWORD size = sizeof(buffer) - sizeof(wchar_t);  // room for a terminator
  rc = ::RegQueryValueExW(key, L"MachineGuid", nullptr, &type,
                          reinterpret_cast<BYTE*>(buffer), &size);
  ::RegCloseKey(key);
  if (rc != ERROR_SUCCESS || type != REG_SZ) {
    out->skipped.push_back({PartKind::kOsInstall, source,
                            rc == ERROR_SUCCESS
                                ? SkipReason::kUnreadable
                                : ReasonOf(static_cast<DWORD>(rc))});
    return;
  }
  std::wstring value(buffer, size / sizeof(wchar_t));
  AddValue(out, PartKind::kOsInstall, source,
           ToUtf8(value.c_str(), static_cast<int>(value.size())));
}

void ReadSmbios(Collection* out) {
  const std::string source = "SMBIOS (GetSystemFirmwareTable RSMB)";
  UINT size = ::GetSystemFirmwareTable(kRsmb, 0, nullptr, 0);
  std::string table(size, '\0');
  if (size == 0 ||
      ::GetSystemFirmwareTable(kRsmb, 0, table.data(), size) != size) {
    const SkipReason reason = ReasonOf(::GetLastError());
    for (PartKind kind : {PartKind::kFirmwareUuid, PartKind::kProductSerial,
                          PartKind::kBoardSerial}) {
      out->skipped.push_back({kind, source, reason});
    }
    return;
  }
  auto info = ParseRawSmbios(table);
  if (!info) {
    spdlog::debug("hwid: SMBIOS table not parsed: {}", info.error().message);
    for (PartKind kind : {PartKind::kFirmwareUuid, PartKind::kProductSerial,
                          PartKind::kBoardSerial}) {
      out->skipped.push_back({kind, source, SkipReason::kUnreadable});
    }
    return;
  }
  AddValue(out, PartKind::kFirmwareUuid, "SMBIOS type 1 UUID", info->uuid);
  AddValue(out, PartKind::kProductSerial, "SMBIOS type 1 serial",
           info->product_serial);
  AddValue(out, PartKind::kBoardSerial, "SMBIOS type 2 serial",
           info->board_serial);
}

void ReadAdapters(Collection* out) {
  MIB_IF_TABLE2* table = nullptr;
  DWORD rc = ::GetIfTable2(&table);
  if (rc != NO_ERROR) {
    out->skipped.push_back({PartKind::kNic, "GetIfTable2", ReasonOf(rc)});
    return;
  }
  for (ULONG i = 0; i < table->NumEntries; ++i) {
    const MIB_IF_ROW2& row = table->Table[i];
    // Physical adapters only: no filters, tunnels, VPN or virtual switches.
    if (!row.InterfaceAndOperStatusFlags.HardwareInterface ||
        row.InterfaceAndOperStatusFlags.FilterInterface)
      continue;
    auto mac = MacFromBytes(
        std::string(reinterpret_cast<const char*>(row.PermanentPhysicalAddress),
                    row.PhysicalAddressLength));
    std::string source = "GetIfTable2 PermanentPhysicalAddress (ifIndex " +
                         std::to_string(row.InterfaceIndex) + ")";
    if (!mac) {
      spdlog::debug("hwid: nic {} filtered: not an EUI-48 address", source);
      continue;
    }
    AddValue(out, PartKind::kNic, source, *mac);
  }
  ::FreeMibTable(table);
}

// The physical disk holding the Windows directory.
void ReadSystemDisk(Collection* out) {
  const std::string source = "IOCTL_STORAGE_QUERY_PROPERTY (system disk)";
  wchar_t windows_dir[MAX_PATH] = {};
  UINT n = ::GetSystemWindowsDirectoryW(windows_dir, MAX_PATH);
  if (n < 2 || n >= MAX_PATH || windows_dir[1] != L':') {
    out->skipped.push_back({PartKind::kDisk, source, SkipReason::kUnreadable});
    return;
  }
  std::wstring volume = L"\\\\.\\";
  volume += windows_dir[0];
  volume += L':';
  // Access 0: queries that need no read access, so no Administrator needed.
  Handle vol(::CreateFileW(volume.c_str(), 0,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                           OPEN_EXISTING, 0, nullptr));
  if (!vol.valid()) {
    out->skipped.push_back(
        {PartKind::kDisk, source, ReasonOf(::GetLastError())});
    return;
  }
  VOLUME_DISK_EXTENTS extents = {};
  DWORD returned = 0;
  if (!::DeviceIoControl(vol.get(), IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS,
                         nullptr, 0, &extents, sizeof(extents), &returned,
                         nullptr) ||
      extents.NumberOfDiskExtents < 1) {
    // A volume spanning several disks (ERROR_MORE_DATA) has no one serial.
    out->skipped.push_back({PartKind::kDisk, source, SkipReason::kUnreadable});
    return;
  }
  std::wstring drive =
      L"\\\\.\\PhysicalDrive" + std::to_wstring(extents.Extents[0].DiskNumber);
  Handle disk(::CreateFileW(drive.c_str(), 0,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                            OPEN_EXISTING, 0, nullptr));
  if (!disk.valid()) {
    out->skipped.push_back(
        {PartKind::kDisk, source, ReasonOf(::GetLastError())});
    return;
  }
  STORAGE_PROPERTY_QUERY query = {};
  query.PropertyId = StorageDeviceProperty;
  query.QueryType = PropertyStandardQuery;
  STORAGE_DESCRIPTOR_HEADER header = {};
  if (!::DeviceIoControl(disk.get(), IOCTL_STORAGE_QUERY_PROPERTY, &query,
                         sizeof(query), &header, sizeof(header), &returned,
                         nullptr) ||
      header.Size < sizeof(STORAGE_DEVICE_DESCRIPTOR)) {
    out->skipped.push_back({PartKind::kDisk, source, SkipReason::kUnreadable});
    return;
  }
  std::string buffer(header.Size, '\0');
  if (!::DeviceIoControl(disk.get(), IOCTL_STORAGE_QUERY_PROPERTY, &query,
                         sizeof(query), buffer.data(),
                         static_cast<DWORD>(buffer.size()), &returned,
                         nullptr)) {
    out->skipped.push_back({PartKind::kDisk, source, SkipReason::kUnreadable});
    return;
  }
  buffer.resize(returned);
  auto descriptor = ParseStorageDescriptor(buffer);
  if (!descriptor) {
    out->skipped.push_back({PartKind::kDisk, source, SkipReason::kUnreadable});
    return;
  }
  if (descriptor->removable || descriptor->bus_type == kBusTypeUsb) {
    spdlog::debug("hwid: disk {} filtered: removable or usb", source);
    return;
  }
  AddValue(out, PartKind::kDisk, source, descriptor->serial);
}

}  // namespace

Collection CollectParts(const CollectOptions& /*options*/) {
  Collection out;
  ReadSmbios(&out);
  ReadMachineGuid(&out);
  ReadAdapters(&out);
  ReadSystemDisk(&out);
  LimitKind(&out, PartKind::kNic, kMaxPartsPerMultiKind);
  LimitKind(&out, PartKind::kDisk, kMaxPartsPerMultiKind);
  for (const Skipped& s : out.skipped) {
    spdlog::debug("hwid: {} skipped ({}): {}", KindName(s.kind),
                  SkipReasonName(s.reason), s.source);
  }
  return out;
}

}  // namespace gg::hwid
