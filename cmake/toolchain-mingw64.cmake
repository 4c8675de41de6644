# Cross-compiling for 64-bit Windows with Debian's mingw-w64
# (g++-mingw-w64-x86-64-posix: the posix thread model, which std::thread
# and std::mutex need). Tests run through wine (cmake/GgWine.cmake).
# The static OpenSSL, curl and SQLite come from scripts/deps-windows.sh:
# -DGG_MINGW_PREFIX=... or the GG_MINGW_PREFIX environment variable.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(GG_MINGW_TRIPLE x86_64-w64-mingw32)
find_program(CMAKE_C_COMPILER NAMES ${GG_MINGW_TRIPLE}-gcc-posix REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${GG_MINGW_TRIPLE}-g++-posix REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${GG_MINGW_TRIPLE}-windres)

if(NOT GG_MINGW_PREFIX AND DEFINED ENV{GG_MINGW_PREFIX})
  set(GG_MINGW_PREFIX $ENV{GG_MINGW_PREFIX} CACHE PATH
      "Prefix of the mingw-w64 OpenSSL, curl and SQLite builds")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES GG_MINGW_PREFIX)

# Only the mingw sysroot and that prefix: never a Linux library or header by
# mistake.
set(CMAKE_FIND_ROOT_PATH /usr/${GG_MINGW_TRIPLE} ${GG_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
