// The output of `gg-agent hwid [--components] [--json] [--product ID]`, as a
// pure function of what was collected and what is enrolled. service/ does
// the reading and printing; this never writes the enrollment.
//
// Values are never shown: each readable part is printed as "****(N)" (its
// length only), so no serial or MAC reaches a terminal, a ticket or a log.
// The machine key itself is not printed either, only its fingerprint and,
// with a product, the ID sent upstream for it.
#ifndef GG_HWID_REPORT_H_
#define GG_HWID_REPORT_H_

#include <optional>
#include <string>
#include <string_view>

#include "hwid/enrollment.h"
#include "hwid/part.h"
#include "platform/result.h"

namespace gg::hwid {

struct ReportOptions {
  bool components = false;  // list every part, read or skipped
  bool json = false;        // one JSON object instead of text
  double threshold = kDefaultMatchThreshold;  // config hwid.matchThreshold
  // The state directory holds an enrollment this user may not read: say so
  // instead of "none stored".
  bool enrollment_unreadable = false;
};

// The text to print (ends with a newline). `product_id` may be empty (no
// --product): then no product ID is shown. `enrolled` is the stored set
// from the state directory, if any. An error (code "HWID_NO_PARTS") when
// no part is readable; its message names what was skipped and why.
[[nodiscard]] Result<std::string> FormatHwidReport(
    const Collection& collection,
    const std::optional<Enrollment>& enrolled,
    std::string_view product_id,
    const ReportOptions& options);

// "****(N)": how a part's value is shown.
std::string MaskPartValue(std::string_view value);

}  // namespace gg::hwid

#endif  // GG_HWID_REPORT_H_
