# Windows programs of this build run under wine: tests (CTest runs each
# through CMAKE_CROSSCOMPILING_EMULATOR) and the end-to-end scripts, all in a
# wine prefix private to the build tree, with wine's debug chatter off.
# The wrapper is <build>/gg-wine; GG_WINEPREFIX overrides the prefix.
find_program(GG_WINE_LOADER NAMES wine64 wine PATHS /usr/lib/wine
             NO_CMAKE_FIND_ROOT_PATH)
if(NOT GG_WINE_LOADER)
  message(STATUS "wine not found: the Windows tests are not registered")
  return()
endif()
find_program(GG_WINESERVER NAMES wineserver64 wineserver PATHS /usr/lib/wine
             NO_CMAKE_FIND_ROOT_PATH)
set(GG_WINE_PREFIX_DIR ${CMAKE_BINARY_DIR}/wineprefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/gg-wine.sh.in
               ${CMAKE_BINARY_DIR}/gg-wine @ONLY
               FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
                                GROUP_READ GROUP_EXECUTE WORLD_READ
                                WORLD_EXECUTE)
set(GG_WINE ${CMAKE_BINARY_DIR}/gg-wine)
set(CMAKE_CROSSCOMPILING_EMULATOR ${GG_WINE})
