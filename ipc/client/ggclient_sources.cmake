# libggclient's sources as absolute paths: GG_CLIENT_PORTABLE_SOURCES, and
# GG_CLIENT_SOURCES with this OS's files added, for builds outside the
# project (the examples' source-tree route). ipc/client/CMakeLists.txt takes
# the portable list and its per-OS files through gg_add_os_sources().
set(_gg_client_dir ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(_gg_root ${_gg_client_dir}/../.. ABSOLUTE)
set(GG_CLIENT_PORTABLE_SOURCES
  ${_gg_client_dir}/client.cpp ${_gg_client_dir}/client_core.cpp
  ${_gg_client_dir}/answer.cpp ${_gg_client_dir}/line_buffer.cpp
  ${_gg_client_dir}/event_queue.cpp ${_gg_client_dir}/reasons.cpp
  ${_gg_client_dir}/server_trust.cpp)
set(GG_CLIENT_SOURCES ${GG_CLIENT_PORTABLE_SOURCES})
if(CMAKE_SYSTEM_NAME STREQUAL "Windows")
  list(APPEND GG_CLIENT_SOURCES ${_gg_client_dir}/transport_windows.cpp)
elseif(CMAKE_SYSTEM_NAME STREQUAL "Darwin")
  list(APPEND GG_CLIENT_SOURCES ${_gg_client_dir}/transport_posix.cpp
       ${_gg_client_dir}/endpoint_macos.cpp
       ${_gg_root}/ipc/peer_credentials_macos.cpp)
else()
  list(APPEND GG_CLIENT_SOURCES ${_gg_client_dir}/transport_posix.cpp
       ${_gg_client_dir}/endpoint_linux.cpp
       ${_gg_root}/ipc/peer_credentials_linux.cpp)
endif()
# The include roots: the public headers, and the tree for internal ones.
set(GG_CLIENT_PUBLIC_INCLUDE ${_gg_client_dir}/include)
set(GG_CLIENT_PRIVATE_INCLUDE ${_gg_root})
