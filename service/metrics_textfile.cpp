#include "service/metrics_textfile.h"

#include <fstream>
#include <system_error>

namespace gg::service {

Status WriteTextfileAtomic(const std::filesystem::path& file,
                           std::string_view text) {
  // The collector ignores files not ending in .prom, so the temporary
  // name is never read half-written.
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  auto fail = [&tmp](const std::string& what) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return MakeError(ErrorCode::kIo, what);
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      return fail("cannot create " + tmp.string());
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out)
      return fail("cannot write " + tmp.string());
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::permissions(tmp,
                  fs::perms::owner_read | fs::perms::owner_write |
                      fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::replace, ec);
  if (ec)
    return fail("chmod " + tmp.string() + ": " + ec.message());
  fs::rename(tmp, file, ec);
  if (ec)
    return fail("rename to " + file.string() + ": " + ec.message());
  return Ok();
}

}  // namespace gg::service
