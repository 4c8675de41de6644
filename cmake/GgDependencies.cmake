# Every dependency comes from a Debian package, found here once for all folders.
if(GG_OS STREQUAL "windows")
  # mingw-w64: static builds of Debian's sources and Debian's header-only
  # packages, as the same target names.
  include(GgWindowsDependencies)
  return()
endif()
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(tl-expected REQUIRED)
find_package(spdlog REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(PkgConfig REQUIRED)

# Standalone Asio is header-only; it is included through ipc/asio.h alone.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(gg_asio INTERFACE)
target_include_directories(gg_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_link_libraries(gg_asio INTERFACE Threads::Threads)

find_package(CLI11 CONFIG REQUIRED)
