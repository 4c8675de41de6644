// Files only the agent's own account may read: state, the database, the
// socket directory, secret files.
//
// POSIX: directories 0700, files 0600, owned by the calling user.
// Windows: a protected DACL granting SYSTEM, Administrators and the owner.
#ifndef GG_PLATFORM_PRIVATE_FILE_H_
#define GG_PLATFORM_PRIVATE_FILE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace gg {

// Creates `dir` (and parents) if missing and restricts it to the owner.
// Error "INSECURE_FILE" (never a chmod) for a directory that is a link, is
// owned by someone else or is writable by group or others (POSIX); one
// that is only readable by others is tightened to 0700.
[[nodiscard]] Status EnsurePrivateDirectory(const std::filesystem::path& dir);

// Restricts an existing file to the owner (0600). Error "INSECURE_FILE"
// when `file` is a link or not a regular file of the calling user (POSIX):
// a planted link never has its target re-moded.
[[nodiscard]] Status MakeFilePrivate(const std::filesystem::path& file);

// What stands at a path, not following links.
enum class FileKind {
  kAbsent,
  kOwnRegular,  // a regular file of the calling user, one link (POSIX)
  kOther,       // a link, directory, FIFO, another user's file, a hard link
};
// `why` (may be null) says what is wrong with a kOther.
[[nodiscard]] Result<FileKind> InspectOwnFile(const std::filesystem::path& file,
                                              std::string* why);

// Writes `data` to a temporary file beside `file` with private permissions,
// flushes it to disk and renames it over `file`, so a crash leaves either the
// old or the new content, never a mix.
[[nodiscard]] Status WritePrivateFileAtomic(const std::filesystem::path& file,
                                            std::string_view data);

// Writes `data` over bytes `file` already holds at `offset`, then flushes
// them to disk. No space is allocated, so it works on a full disk (the
// reason it exists: a record that must survive when nothing else can be
// written). Not atomic beyond what the disk makes of one small write;
// callers checksum what they write. Error when the range is past the end.
[[nodiscard]] Status OverwriteFileRange(const std::filesystem::path& file,
                                        std::uint64_t offset,
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
