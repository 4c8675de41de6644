// The OS-independent parts of private_file.h.
#include <fstream>
#include <sstream>

#include "platform/private_file.h"

namespace gg {

Result<std::string> ReadFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kIo, "cannot open " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    return MakeError(ErrorCode::kIo, "cannot read " + file.string());
  return ss.str();
}

Result<std::string> ReadSecretFile(const std::filesystem::path& file) {
  auto owner_only = IsOwnerOnly(file);
  if (!owner_only)
    return tl::unexpected(owner_only.error());
  if (!*owner_only)
    return MakeError(ErrorCode::kInsecureFile,
                     file.string() + " is readable by group or others");
  auto text = ReadFile(file);
  if (!text)
    return text;
  if (!text->empty() && text->back() == '\n')
    text->pop_back();
  if (!text->empty() && text->back() == '\r')
    text->pop_back();
  if (text->empty())
    return MakeError(ErrorCode::kValidation, file.string() + " is empty");
  return text;
}

}  // namespace gg
