// The optional metrics.textfile: the `metrics` text written for
// node_exporter's textfile collector, atomically (a scrape never reads a
// half-written file).
#ifndef GG_SERVICE_METRICS_TEXTFILE_H_
#define GG_SERVICE_METRICS_TEXTFILE_H_

#include <filesystem>
#include <string_view>

#include "platform/result.h"

namespace gg::service {

// Writes `text` to "<file>.tmp" beside `file`, makes it readable by all
// (owner rw, group and others r: the collector runs as another user; the
// text holds no secret) and renames it over `file`. Errors "IO" naming the
// step; the temporary file is removed on failure.
[[nodiscard]] Status WriteTextfileAtomic(const std::filesystem::path& file,
                                         std::string_view text);

}  // namespace gg::service

#endif  // GG_SERVICE_METRICS_TEXTFILE_H_
