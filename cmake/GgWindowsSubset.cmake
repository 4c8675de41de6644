# GG_WINDOWS_SUBSET: what of the agent can be built for Windows on Debian.
#
# Debian ships no mingw builds of OpenSSL, curl, SQLite or spdlog/fmt, so
# gg-agent.exe cannot be linked here. This builds instead:
#   gg_windows_check  every *_windows.cpp of the tree and service/main_windows.cpp,
#                     plus the portable sources that need only header-only
#                     libraries, compiled (not linked) with mingw-w64;
#   gg_windows_service_smoke.exe  the service pieces (SCM dispatcher, control
#                     handler, install/uninstall, event log, private folder
#                     ACLs) linked with a fake RunAgent, run under wine as a
#                     CTest test when wine is installed.
# Header-only dependencies are taken from Debian's /usr/include through a
# staging folder holding only them (tl, nlohmann, spdlog + fmt in header-only
# mode, asio, CLI11), so no Linux libc header reaches the mingw compiler.
if(NOT GG_OS STREQUAL "windows")
  message(FATAL_ERROR "GG_WINDOWS_SUBSET needs the mingw-w64 toolchain "
                      "(cmake/toolchain-mingw64.cmake)")
endif()
get_filename_component(GG_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

set(GG_WIN_DEPS ${CMAKE_BINARY_DIR}/gg-windows-deps/include)
file(MAKE_DIRECTORY ${GG_WIN_DEPS})
foreach(dep tl nlohmann spdlog fmt asio asio.hpp CLI)
  if(NOT EXISTS /usr/include/${dep})
    message(FATAL_ERROR "GG_WINDOWS_SUBSET needs /usr/include/${dep} "
                        "(see scripts/deps.sh)")
  endif()
  file(CREATE_LINK /usr/include/${dep} ${GG_WIN_DEPS}/${dep} SYMBOLIC)
endforeach()

add_library(gg_windows_deps INTERFACE)
target_include_directories(gg_windows_deps SYSTEM INTERFACE ${GG_WIN_DEPS})
target_include_directories(gg_windows_deps INTERFACE ${GG_ROOT})
target_compile_definitions(gg_windows_deps INTERFACE
  FMT_HEADER_ONLY ASIO_STANDALONE ASIO_NO_DEPRECATED _WIN32_WINNT=0x0A00
  WIN32_LEAN_AND_MEAN NOMINMAX UNICODE _UNICODE)
target_link_libraries(gg_windows_deps INTERFACE
  gg_os::advapi32 gg_os::shell32 gg_os::ole32 gg_os::ws2_32 gg_os::mswsock)

# Every Windows source of the tree, wherever its folder is.
file(GLOB_RECURSE GG_WIN_SOURCES CONFIGURE_DEPENDS
  ${GG_ROOT}/platform/*_windows.cpp ${GG_ROOT}/hwid/*_windows.cpp
  ${GG_ROOT}/ipc/*_windows.cpp ${GG_ROOT}/agent/*_windows.cpp
  ${GG_ROOT}/service/*_windows.cpp)
list(APPEND GG_WIN_SOURCES ${GG_ROOT}/service/main_windows.cpp)
# Portable sources whose only dependencies are header-only.
foreach(src platform/log.cpp platform/private_file.cpp service/sd_notify.cpp
            ipc/server.cpp ipc/dispatcher.cpp ipc/protocol.cpp)
  list(APPEND GG_WIN_SOURCES ${GG_ROOT}/${src})
endforeach()
list(FILTER GG_WIN_SOURCES EXCLUDE REGEX "/tests/")
list(REMOVE_DUPLICATES GG_WIN_SOURCES)
foreach(src ${GG_WIN_SOURCES})
  file(RELATIVE_PATH rel ${GG_ROOT} ${src})
  message(STATUS "Windows subset compiles ${rel}")
endforeach()

add_library(gg_windows_check OBJECT ${GG_WIN_SOURCES})
target_link_libraries(gg_windows_check PRIVATE gg_windows_deps
                      gg_compile_options)

# The service pieces, linked and run under wine with a fake agent.
set(GG_SMOKE_DIR ${GG_ROOT}/tests/service/windows)
add_executable(gg_windows_service_smoke
  ${GG_SMOKE_DIR}/windows_service_smoke.cpp
  ${GG_ROOT}/service/windows_service_windows.cpp
  ${GG_ROOT}/service/windows_service_install_windows.cpp
  ${GG_ROOT}/platform/paths_windows.cpp
  ${GG_ROOT}/platform/private_file_windows.cpp
  ${GG_ROOT}/platform/private_file.cpp
  ${GG_ROOT}/platform/log.cpp)
target_link_libraries(gg_windows_service_smoke PRIVATE gg_windows_deps
                      gg_compile_options)
enable_language(RC)
include(${CMAKE_CURRENT_LIST_DIR}/GgWindowsEvents.cmake)
gg_add_windows_event_messages(gg_windows_service_smoke)
# A self-contained .exe: wine finds no mingw runtime DLLs by itself.
target_link_options(gg_windows_service_smoke PRIVATE -static)
enable_testing()
if(CMAKE_CROSSCOMPILING_EMULATOR)
  add_test(NAME windows_service_smoke COMMAND gg_windows_service_smoke)
  set_tests_properties(windows_service_smoke PROPERTIES TIMEOUT 180
                       ENVIRONMENT WINEDEBUG=-all
                       LABELS "windows")
endif()
