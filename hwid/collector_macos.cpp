// macOS collector: IOPlatformUUID and IOPlatformSerialNumber of the platform
// expert, and the permanent address of the built-in en0. Readable without
// root. CollectOptions::root is ignored here.
//
// Not compiled in this project's CI (no macOS toolchain); written against
// the documented IOKit API.
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>

#include <string>

#include <spdlog/spdlog.h>

#include "hwid/collector.h"
#include "hwid/normalize.h"

namespace gg::hwid {
namespace {

// MACH_PORT_NULL selects the default main port on every macOS version
// (kIOMainPortDefault is 12+, kIOMasterPortDefault deprecated).
constexpr mach_port_t kDefaultPort = MACH_PORT_NULL;

// Releases a CF object on scope exit.
class CfRef {
 public:
  explicit CfRef(CFTypeRef ref) : ref_(ref) {}
  ~CfRef() {
    if (ref_ != nullptr)
      CFRelease(ref_);
  }
  CfRef(const CfRef&) = delete;
  CfRef& operator=(const CfRef&) = delete;
  CFTypeRef get() const { return ref_; }

 private:
  CFTypeRef ref_;
};

// Releases an io_object_t on scope exit.
class IoObject {
 public:
  explicit IoObject(io_object_t object) : object_(object) {}
  ~IoObject() {
    if (object_ != IO_OBJECT_NULL)
      IOObjectRelease(object_);
  }
  IoObject(const IoObject&) = delete;
  IoObject& operator=(const IoObject&) = delete;
  io_object_t get() const { return object_; }

 private:
  io_object_t object_;
};

// The UTF-8 text of a CFString, or the bytes of a CFData (some properties
// are C strings stored as data); empty for anything else.
std::string ToString(CFTypeRef value) {
  if (value == nullptr)
    return {};
  if (CFGetTypeID(value) == CFStringGetTypeID()) {
    auto str = static_cast<CFStringRef>(value);
    CFIndex max = CFStringGetMaximumSizeForEncoding(CFStringGetLength(str),
                                                    kCFStringEncodingUTF8) +
                  1;
    std::string out(static_cast<std::size_t>(max), '\0');
    if (!CFStringGetCString(str, out.data(), max, kCFStringEncodingUTF8))
      return {};
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
  }
  if (CFGetTypeID(value) == CFDataGetTypeID()) {
    auto data = static_cast<CFDataRef>(value);
    return std::string(reinterpret_cast<const char*>(CFDataGetBytePtr(data)),
                       static_cast<std::size_t>(CFDataGetLength(data)));
  }
  return {};
}

void ReadPlatformExpert(Collection* out) {
  IoObject expert(IOServiceGetMatchingService(
      kDefaultPort, IOServiceMatching("IOPlatformExpertDevice")));
  struct Key {
    PartKind kind;
    CFStringRef name;
    const char* source;
  };
  const Key keys[] = {
      {PartKind::kFirmwareUuid, CFSTR("IOPlatformUUID"),
       "IOPlatformExpertDevice IOPlatformUUID"},
      {PartKind::kProductSerial, CFSTR("IOPlatformSerialNumber"),
       "IOPlatformExpertDevice IOPlatformSerialNumber"},
  };
  for (const Key& key : keys) {
    if (expert.get() == IO_OBJECT_NULL) {
      out->skipped.push_back({key.kind, key.source, SkipReason::kAbsent});
      continue;
    }
    CfRef value(IORegistryEntryCreateCFProperty(expert.get(), key.name,
                                                kCFAllocatorDefault, 0));
    AddValue(out, key.kind, key.source, ToString(value.get()));
  }
}

// en0 when it is built in (IOBuiltin), its controller's IOMACAddress.
void ReadEn0(Collection* out) {
  const std::string source = "en0 IOMACAddress";
  // IOBSDNameMatching's dictionary is consumed by the call below.
  IoObject iface(IOServiceGetMatchingService(
      kDefaultPort, IOBSDNameMatching(kDefaultPort, 0, "en0")));
  if (iface.get() == IO_OBJECT_NULL) {
    out->skipped.push_back({PartKind::kNic, source, SkipReason::kAbsent});
    return;
  }
  CfRef builtin(IORegistryEntryCreateCFProperty(iface.get(), CFSTR("IOBuiltin"),
                                                kCFAllocatorDefault, 0));
  if (builtin.get() == nullptr ||
      CFGetTypeID(builtin.get()) != CFBooleanGetTypeID() ||
      !CFBooleanGetValue(static_cast<CFBooleanRef>(builtin.get()))) {
    spdlog::debug("hwid: nic en0 filtered: not built in");
    return;
  }
  io_object_t parent = IO_OBJECT_NULL;
  if (IORegistryEntryGetParentEntry(iface.get(), kIOServicePlane, &parent) !=
      KERN_SUCCESS) {
    out->skipped.push_back({PartKind::kNic, source, SkipReason::kUnreadable});
    return;
  }
  IoObject controller(parent);
  CfRef mac(IORegistryEntryCreateCFProperty(
      controller.get(), CFSTR("IOMACAddress"), kCFAllocatorDefault, 0));
  auto text = MacFromBytes(ToString(mac.get()));
  if (!text) {
    out->skipped.push_back({PartKind::kNic, source, SkipReason::kUnreadable});
    return;
  }
  AddValue(out, PartKind::kNic, source, *text);
}

}  // namespace

Collection CollectParts(const CollectOptions& /*options*/) {
  Collection out;
  ReadPlatformExpert(&out);
  ReadEn0(&out);
  for (const Skipped& s : out.skipped) {
    spdlog::debug("hwid: {} skipped ({}): {}", KindName(s.kind),
                  SkipReasonName(s.reason), s.source);
  }
  return out;
}

}  // namespace gg::hwid
