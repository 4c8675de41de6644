"""Where the agent listens, and who may be it (issue 16 point 5): the system
socket first; a per-user fallback only on macOS and only in a directory the
caller owns that nobody else can write; the peer must be root, this user,
the "gg-agent" system user, or a uid the app names."""
import os
import socket
import stat
import struct
import sys
from typing import Optional

SYSTEM_SOCKET_LINUX = "/run/gg-agent/agent.sock"
SYSTEM_SOCKET_MACOS = "/var/run/gg-agent/agent.sock"
WINDOWS_PIPE = r"\\.\pipe\gg-agent"


def default_endpoint() -> str:
    env = os.environ.get("GG_AGENT_SOCKET")
    if env:
        return env
    if sys.platform == "win32":
        return WINDOWS_PIPE
    if sys.platform != "darwin":
        return SYSTEM_SOCKET_LINUX
    if os.path.lexists(SYSTEM_SOCKET_MACOS):
        return SYSTEM_SOCKET_MACOS
    tmp = os.environ.get("TMPDIR")
    if tmp:
        d = os.path.join(tmp, "gg-agent")
        try:
            st = os.lstat(d)
            private = (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
                       and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))
        except OSError:
            private = False
        if private and os.path.lexists(os.path.join(d, "agent.sock")):
            return os.path.join(d, "agent.sock")
    return SYSTEM_SOCKET_MACOS


def _agent_user_uid() -> Optional[int]:
    try:
        import pwd
        return pwd.getpwnam("gg-agent").pw_uid
    except (ImportError, KeyError):
        return None


def trusted_uid(uid: int, configured: Optional[int]) -> bool:
    return uid in (0, os.getuid(), os.geteuid()) or uid == configured or \
        uid == _agent_user_uid()


def peer_uid(sock: socket.socket, path: str) -> Optional[int]:
    """The uid of whoever listens: SO_PEERCRED on Linux; elsewhere the owner
    of the socket file (who bound it)."""
    so_peercred = getattr(socket, "SO_PEERCRED", None)
    if so_peercred is not None:
        creds = sock.getsockopt(socket.SOL_SOCKET, so_peercred,
                                struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid
    try:
        return os.lstat(path).st_uid
    except OSError:
        return None


def refusal(sock: socket.socket, path: str, configured: Optional[int]) -> Optional[str]:
    """Why the listener at `path` is not trusted, or None when it is."""
    uid = peer_uid(sock, path)
    if uid is not None and trusted_uid(uid, configured):
        return None
    return (f"refusing {path}: it is served by uid {uid}, "
            "not root, this user or the agent's user")
