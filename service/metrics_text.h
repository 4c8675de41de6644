// The engine's counters and gauges in Prometheus' text exposition format
// (version 0.0.4), for `ggctl metrics` and the node_exporter textfile.
// Pure: a snapshot in, text out; no clock, no I/O.
#ifndef GG_SERVICE_METRICS_TEXT_H_
#define GG_SERVICE_METRICS_TEXT_H_

#include <string>
#include <string_view>

#include "agent/engine/engine_metrics.h"

namespace gg::service {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4";

// Every family with # HELP and # TYPE; counters that are zero for every
// label set of a family with fixed labels are still written (a scrape sees
// the series before the first event), the answers family only for the
// label sets that occurred.
std::string RenderMetrics(const agent::EngineMetrics& metrics,
                          std::string_view version);

// A label value escaped as the format asks (\\, \", \n).
std::string EscapeLabelValue(std::string_view value);

}  // namespace gg::service

#endif  // GG_SERVICE_METRICS_TEXT_H_
