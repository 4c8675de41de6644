// Files only the agent's own account may read: state, the database, the
// socket directory, secret files.
//
// POSIX: directories 0700, files 0600, owned by the calling user.
// Windows: a protected DACL granting SYSTEM, Administrators and the owner.
#ifndef GG_PLATFORM_PRIVATE_FILE_H_
#define GG_PLATFORM_PRIVATE_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace gg {

// Creates `dir` (and parents) if missing and restricts it to the owner.
// An existing directory owned by someone else is an error, not a chmod.
[[nodiscard]] Status EnsurePrivateDirectory(const std::filesystem::path& dir);

// Restricts an existing file to the owner (0600).
[[nodiscard]] Status MakeFilePrivate(const std::filesystem::path& file);

// Writes `data` to a temporary file beside `file` with private permissions,
// flushes it to disk and renames it over `file`, so a crash leaves either the
// old or the new content, never a mix.
[[nodiscard]] Status WritePrivateFileAtomic(const std::filesystem::path& file,
                                            std::string_view data);

// True when no one but the owner (and, on Windows, SYSTEM/Administrators)
// can read `file`. An error when it cannot be checked.
[[nodiscard]] Result<bool> IsOwnerOnly(const std::filesystem::path& file);

// Reads a secret from a file that must be owner-only (else an error naming
// the problem). One trailing newline (\n or \r\n) is removed.
[[nodiscard]] Result<std::string> ReadSecretFile(
    const std::filesystem::path& file);

// Reads a whole file.
[[nodiscard]] Result<std::string> ReadFile(const std::filesystem::path& file);

}  // namespace gg

#endif  // GG_PLATFORM_PRIVATE_FILE_H_
