# The one place that names the target OS. Every folder asks GG_OS
# ("linux", "windows" or "macos") instead of WIN32/APPLE/UNIX, and takes its
# per-OS files through gg_add_os_sources(). Any other OS is a configure
# error: FreeBSD must not quietly build the Linux files.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(GG_OS linux)
elseif(CMAKE_SYSTEM_NAME STREQUAL "Windows")
  set(GG_OS windows)
elseif(CMAKE_SYSTEM_NAME STREQUAL "Darwin")
  set(GG_OS macos)
else()
  message(FATAL_ERROR "GeckoGuard Agent supports Linux, Windows and macOS, "
                      "not ${CMAKE_SYSTEM_NAME}")
endif()
# *_posix.cpp files serve Linux and macOS alike.
if(GG_OS STREQUAL "windows")
  set(GG_OS_POSIX OFF)
else()
  set(GG_OS_POSIX ON)
endif()
message(STATUS "GG_OS: ${GG_OS}")

# gg_add_os_sources(target [EXCLUDE name.cpp...]): adds to `target` the
# files of the calling folder named *_<GG_OS>.cpp, and *_posix.cpp on Linux
# and macOS. A folder's portable sources are listed by the folder itself.
function(gg_add_os_sources target)
  cmake_parse_arguments(ARG "" "" "EXCLUDE" ${ARGN})
  set(patterns ${CMAKE_CURRENT_SOURCE_DIR}/*_${GG_OS}.cpp)
  if(GG_OS_POSIX)
    list(APPEND patterns ${CMAKE_CURRENT_SOURCE_DIR}/*_posix.cpp)
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${patterns})
  foreach(name ${ARG_EXCLUDE})
    list(REMOVE_ITEM sources ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  endforeach()
  if(NOT sources)
    message(FATAL_ERROR "${target}: no *_${GG_OS}.cpp in "
                        "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  target_sources(${target} PRIVATE ${sources})
endfunction()

# OS libraries as imported targets, so that every name a target links is a
# target (CMAKE_LINK_LIBRARIES_ONLY_TARGETS) and a renamed one of ours fails
# the configure step instead of turning into a stray -l flag.
function(gg_os_library name)
  if(NOT TARGET gg_os::${name})
    add_library(gg_os::${name} INTERFACE IMPORTED GLOBAL)
    set_target_properties(gg_os::${name} PROPERTIES IMPORTED_LIBNAME ${name})
  endif()
endfunction()
if(GG_OS STREQUAL "windows")
  foreach(lib advapi32 shell32 ole32 iphlpapi ws2_32 mswsock)
    gg_os_library(${lib})
  endforeach()
endif()
