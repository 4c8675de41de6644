# Warnings, sanitizers and hardening shared by every target of the project.
add_library(gg_compile_options INTERFACE)
target_compile_options(gg_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
  -Wformat=2 -Wimplicit-fallthrough)
if(GG_WERROR)
  target_compile_options(gg_compile_options INTERFACE -Werror)
endif()

if(GG_SANITIZE_ADDRESS AND GG_SANITIZE_THREAD)
  message(FATAL_ERROR "GG_SANITIZE_ADDRESS and GG_SANITIZE_THREAD exclude each other")
endif()
if(GG_SANITIZE_ADDRESS)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(GG_SANITIZE_THREAD)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
# Fuzzers need the code they reach compiled with coverage feedback; every
# target of the tree gets it (the fuzz targets add -fsanitize=fuzzer at
# link), so one clang ASan tree serves both the tests and the fuzzers.
if(GG_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "GG_BUILD_FUZZERS needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(NOT GG_OS STREQUAL "windows")
  add_compile_options(-fstack-protector-strong)
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT GG_SANITIZE_ADDRESS AND NOT GG_SANITIZE_THREAD)
    add_compile_definitions(_FORTIFY_SOURCE=2)
  endif()
endif()
