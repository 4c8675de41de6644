// Runs a libFuzzer target's LLVMFuzzerTestOneInput over every file of the
// directories (or files) given, for builds without libFuzzer (GCC): the
// seed corpus and the inputs of past findings stay regression tests there.
// Fails when it finds no input at all, so a moved corpus is noticed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size);

namespace {

bool RunFile(const std::filesystem::path& path) {
  // stdio, not istreambuf_iterator: GCC 12 -O2 sees a null dereference in
  // the latter (-Wnull-dereference false positive).
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<std::uint8_t> bytes;
  std::uint8_t buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    bytes.insert(bytes.end(), buf, buf + n);
  }
  const bool ok = std::ferror(f) == 0;
  // Exactly the file's bytes in a block of their own, so a read past the
  // end is visible to a sanitizer as it is under libFuzzer.
  std::fclose(f);
  if (!ok) {
    std::fprintf(stderr, "replay: error reading %s\n", path.c_str());
    return false;
  }
  std::unique_ptr<std::uint8_t[]> exact(
      new std::uint8_t[std::max<std::size_t>(bytes.size(), 1)]);
  std::copy(bytes.begin(), bytes.end(), exact.get());
  LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) {
          if (!RunFile(entry.path())) {
            return 1;
          }
          ++count;
        }
      }
    } else {
      if (!RunFile(arg)) {
        return 1;
      }
      ++count;
    }
  }
  std::printf("replay: %zu inputs, no failure\n", count);
  return count == 0 ? 1 : 0;
}
