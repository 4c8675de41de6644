# The dependencies of the Windows build (mingw-w64), as the same target
# names GgDependencies.cmake gives on Linux, so no folder knows the
# difference:
#   OpenSSL::Crypto, OpenSSL::SSL, CURL::libcurl, SQLite::SQLite3
#       static libraries that scripts/deps-windows.sh builds from Debian's
#       source packages into GG_MINGW_PREFIX (outside the tree);
#   nlohmann_json::nlohmann_json, tl::expected, spdlog::spdlog (with fmt
#   header-only), CLI11::CLI11, gg_asio
#       Debian's header-only packages from /usr/include, through a staging
#       folder that holds only them, so no Linux libc header reaches mingw;
#   GTest::gtest, GTest::gmock, GTest::gtest_main
#       built here from Debian's googletest sources (/usr/src/googletest).
if(NOT GG_MINGW_PREFIX)
  # The newest complete prefix that deps-windows.sh left, when none is given.
  file(GLOB _gg_prefixes LIST_DIRECTORIES true
       /var/cache/gg-agent/mingw-*/.complete)
  list(SORT _gg_prefixes ORDER DESCENDING)
  if(_gg_prefixes)
    list(GET _gg_prefixes 0 _gg_first)
    get_filename_component(_gg_first ${_gg_first} DIRECTORY)
    set(GG_MINGW_PREFIX ${_gg_first} CACHE PATH
        "Prefix of the mingw-w64 OpenSSL, curl and SQLite builds" FORCE)
  endif()
endif()
if(NOT GG_MINGW_PREFIX OR NOT EXISTS ${GG_MINGW_PREFIX}/lib/libcurl.a)
  message(FATAL_ERROR "The Windows build needs the mingw-w64 builds of OpenSSL, "
          "curl and SQLite: run scripts/deps-windows.sh and pass its prefix as "
          "-DGG_MINGW_PREFIX=... (or the GG_MINGW_PREFIX environment variable)")
endif()
message(STATUS "Windows dependencies from ${GG_MINGW_PREFIX}")

find_package(Threads REQUIRED)

set(_gg_win_include ${CMAKE_BINARY_DIR}/gg-windows-deps/include)
file(MAKE_DIRECTORY ${_gg_win_include})
foreach(dep tl nlohmann spdlog fmt asio asio.hpp CLI)
  if(NOT EXISTS /usr/include/${dep})
    message(FATAL_ERROR "The Windows build needs /usr/include/${dep} "
                        "(see scripts/deps.sh)")
  endif()
  if(NOT EXISTS ${_gg_win_include}/${dep})
    file(CREATE_LINK /usr/include/${dep} ${_gg_win_include}/${dep} SYMBOLIC)
  endif()
endforeach()

function(_gg_header_only name)
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES ${_gg_win_include}
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${_gg_win_include})
endfunction()
_gg_header_only(nlohmann_json::nlohmann_json)
_gg_header_only(tl::expected)
_gg_header_only(CLI11::CLI11)
_gg_header_only(spdlog::spdlog)
# Debian's spdlog is configured for an external fmt (tweakme.h); fmt is used
# header-only, as there is no mingw libfmt.
set_property(TARGET spdlog::spdlog PROPERTY INTERFACE_COMPILE_DEFINITIONS
             FMT_HEADER_ONLY)
add_library(gg_asio INTERFACE)
target_include_directories(gg_asio SYSTEM INTERFACE ${_gg_win_include})
target_link_libraries(gg_asio INTERFACE Threads::Threads)
target_link_libraries(gg_asio INTERFACE gg_os::ws2_32 gg_os::mswsock)

function(_gg_static_lib name file)
  if(NOT EXISTS ${GG_MINGW_PREFIX}/lib/${file})
    message(FATAL_ERROR "${GG_MINGW_PREFIX}/lib/${file} is missing")
  endif()
  add_library(${name} STATIC IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    IMPORTED_LOCATION ${GG_MINGW_PREFIX}/lib/${file}
    INTERFACE_INCLUDE_DIRECTORIES ${GG_MINGW_PREFIX}/include
    INTERFACE_LINK_LIBRARIES "${ARGN}")
endfunction()
# The system libraries each needs when linked statically (their .pc files'
# Libs.private), as gg_os:: targets (only targets may be linked).
foreach(lib gdi32 crypt32 user32 bcrypt secur32)
  gg_os_library(${lib})
endforeach()
_gg_static_lib(OpenSSL::Crypto libcrypto.a gg_os::ws2_32 gg_os::gdi32
               gg_os::crypt32 gg_os::advapi32 gg_os::user32)
_gg_static_lib(OpenSSL::SSL libssl.a OpenSSL::Crypto)
_gg_static_lib(CURL::libcurl libcurl.a gg_os::ws2_32 gg_os::bcrypt
               gg_os::advapi32 gg_os::crypt32 gg_os::secur32)
set_property(TARGET CURL::libcurl PROPERTY INTERFACE_COMPILE_DEFINITIONS
             CURL_STATICLIB)
_gg_static_lib(SQLite::SQLite3 libsqlite3.a)

# One Windows API level and header mode for every target.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 WIN32_LEAN_AND_MEAN
                        NOMINMAX UNICODE _UNICODE)
# Self-contained programs and DLL: Windows (and wine) has no mingw runtime
# DLLs (libstdc++, libgcc, winpthread) next to them.
add_link_options(-static)

if(GG_BUILD_TESTS)
  set(_gg_gtest_src /usr/src/googletest)
  if(NOT EXISTS ${_gg_gtest_src}/CMakeLists.txt)
    message(FATAL_ERROR "The Windows tests need ${_gg_gtest_src} "
                        "(libgtest-dev, see scripts/deps.sh)")
  endif()
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(gtest_force_shared_crt OFF CACHE BOOL "" FORCE)
  add_subdirectory(${_gg_gtest_src} ${CMAKE_BINARY_DIR}/googletest
                   EXCLUDE_FROM_ALL SYSTEM)
  foreach(lib gtest gtest_main gmock gmock_main)
    if(NOT TARGET GTest::${lib})  # googletest 1.12 makes them itself
      add_library(GTest::${lib} ALIAS ${lib})
    endif()
  endforeach()
  set(GTest_FOUND TRUE)
endif()
