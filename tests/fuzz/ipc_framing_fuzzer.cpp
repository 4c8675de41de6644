// libFuzzer target for the socket-free protocol layer: arbitrary bytes,
// split at a fuzzer-chosen point, through the framer and the request
// parser; every answer encoded must be one valid JSON line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ipc/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::size_t split = static_cast<std::size_t>(data[0]) % size;
  gg::ipc::LineFramer framer(4096);  // small so the limit path is reached
  std::vector<std::string> lines;
  if (framer.Feed(bytes.substr(0, split), lines)) {
    (void)framer.Feed(bytes.substr(split), lines);
  }
  for (const auto& line : lines) {
    auto parsed = gg::ipc::ParseRequest(line);
    std::string answer;
    if (const auto* rejected = std::get_if<gg::ipc::RejectedRequest>(&parsed)) {
      answer = gg::ipc::EncodeError(rejected->id, rejected->error);
    } else {
      answer = gg::ipc::EncodeOk(std::get<gg::ipc::Request>(parsed).id);
    }
    if (answer.empty() || answer.back() != '\n' ||
        !nlohmann::json::accept(answer)) {
      std::abort();  // every answer must be one JSON line
    }
  }
  return 0;
}
