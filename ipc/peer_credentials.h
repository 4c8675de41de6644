// Who is connected, per OS: SO_PEERCRED on Linux, getpeereid and
// LOCAL_PEERPID on macOS, GetNamedPipeClientProcessId on Windows (pid only).
// One symbol, one file per OS, chosen by CMake.
#ifndef GG_IPC_PEER_CREDENTIALS_H_
#define GG_IPC_PEER_CREDENTIALS_H_

#include <cstdint>
#include <vector>

#include "ipc/request_handler.h"

namespace gg::ipc {

// `native_handle`: the connected socket's fd (POSIX) or the pipe HANDLE cast
// to an integer (Windows). Unknown fields stay -1; never fails harder.
Peer ReadPeerCredentials(std::intptr_t native_handle);

// True when a peer whose primary group is `gid` and user `uid` is in one of
// `allowed_gids` (supplementary groups included where the OS tells us).
bool PeerInGroups(const Peer& peer, const std::vector<long long>& allowed_gids);

}  // namespace gg::ipc

#endif  // GG_IPC_PEER_CREDENTIALS_H_
