// The one header of the tree that includes standalone Asio, so the
// configuration macros below are the same in every translation unit.
#ifndef GG_IPC_ASIO_H_
#define GG_IPC_ASIO_H_

#ifndef ASIO_STANDALONE
#define ASIO_STANDALONE
#endif
#ifndef ASIO_NO_DEPRECATED
#define ASIO_NO_DEPRECATED
#endif
#if defined(_WIN32) && !defined(_WIN32_WINNT)
#define _WIN32_WINNT 0x0A00  // Windows 10: the oldest we support.
#endif

// GCC's -Wnull-dereference fires on Asio's own scheduler code after
// inlining, and -Wtsan on its fences; it is third-party code, so those
// warnings are off for it alone.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wtsan"  // Asio's fences, under TSan builds
#endif
#include <asio.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif  // GG_IPC_ASIO_H_
