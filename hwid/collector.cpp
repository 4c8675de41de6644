#include "hwid/collector.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace gg::hwid {

void LimitKind(Collection* collection, PartKind kind, std::size_t max) {
  std::vector<Part> of_kind;
  std::vector<Part> others;
  for (Part& part : collection->parts) {
    (part.kind == kind ? of_kind : others).push_back(std::move(part));
  }
  std::sort(of_kind.begin(), of_kind.end(), [](const Part& a, const Part& b) {
    return a.value != b.value ? a.value < b.value : a.source < b.source;
  });
  of_kind.erase(std::unique(of_kind.begin(), of_kind.end(),
                            [](const Part& a, const Part& b) {
                              return a.value == b.value;
                            }),
                of_kind.end());
  if (of_kind.size() > max)
    of_kind.resize(max);
  collection->parts = std::move(others);
  std::move(of_kind.begin(), of_kind.end(),
            std::back_inserter(collection->parts));
}

}  // namespace gg::hwid
