/* libggclient: how a protected app asks the local GeckoGuard agent.
 *
 * A C ABI with an opaque handle and no OS types. Every call is synchronous
 * and bounded by the handle's timeout. A handle is not thread-safe: use one
 * per thread, or serialise calls.
 *
 * Fail closed: when the agent cannot be reached (not running, timeout,
 * garbled answer) authorize/heartbeat return GG_ERR_UNAVAILABLE and fill
 * the verdict as a deny with reason_code "AGENT_UNAVAILABLE" -- never an
 * allow. The next call reconnects.
 *
 *   gg_client* c = gg_client_new(NULL);          // GG_AGENT_SOCKET or default
 *   gg_verdict v;
 *   gg_client_authorize(c, product_id, key, "MyApp", "1.2", 0, &v);
 *   if (v.allow) { ... } else switch on v.reason_code ...
 *   gg_client_free(c);                            // releases its sessions
 */
#ifndef GG_CLIENT_H_
#define GG_CLIENT_H_

#include <stddef.h>

#if defined(_WIN32)
#if defined(GG_CLIENT_BUILDING)
#define GG_CLIENT_API __declspec(dllexport)
#elif defined(GG_CLIENT_STATIC)
#define GG_CLIENT_API
#else
#define GG_CLIENT_API __declspec(dllimport)
#endif
#else
#define GG_CLIENT_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gg_client gg_client;

/* Return codes. */
#define GG_OK 0              /* the agent answered (read verdict.allow) */
#define GG_ERR_UNAVAILABLE 1 /* agent not reachable: a deny was filled */
#define GG_ERR_REQUEST 2     /* the agent rejected the request: error_code */
#define GG_ERR_INVALID_ARGUMENT 3 /* a NULL or malformed argument */
#define GG_ERR_PROTOCOL 4         /* the agent's answer made no sense */

/* A verdict. Strings are NUL-terminated and empty when absent. */
typedef struct gg_verdict {
  int allow; /* 1 allow, 0 deny: the only field a minimal app must read */
  char reason_code[64];
  char message[512];
  char source[16]; /* online | cache | offline | local | client */
  char session_id[128];
  char effective_expires_at[40];
  char grace_ends_at[40];
  char license_id[128];
  char error_code[40]; /* set when the agent answered with an error */
} gg_verdict;

/* An event pushed by the agent. type: "verdict" or "shutdown". */
typedef struct gg_event {
  char type[16];
  char session_id[128];
  gg_verdict verdict; /* for "verdict" */
} gg_event;

typedef void (*gg_event_callback)(const gg_event* event, void* user_data);

/* socket_path: NULL for $GG_AGENT_SOCKET, else the default endpoint.
 * Returns NULL only when out of memory. Does not connect yet. */
GG_CLIENT_API gg_client* gg_client_new(const char* socket_path);
/* Closes the connection (the agent ends its non-detached sessions). */
GG_CLIENT_API void gg_client_free(gg_client* client);
/* Bound on connecting and on each answer; default 10000 ms. */
GG_CLIENT_API int gg_client_set_timeout_ms(gg_client* client, int timeout_ms);
/* Connects now (otherwise the first call does). GG_OK or GG_ERR_UNAVAILABLE. */
GG_CLIENT_API int gg_client_connect(gg_client* client);

/* app_name/app_version may be NULL; detached: nonzero for a detached session.
 */
GG_CLIENT_API int gg_client_authorize(gg_client* client,
                                      const char* product_id,
                                      const char* license_key,
                                      const char* app_name,
                                      const char* app_version,
                                      int detached,
                                      gg_verdict* out);
GG_CLIENT_API int gg_client_heartbeat(gg_client* client,
                                      const char* session_id,
                                      gg_verdict* out);
GG_CLIENT_API int gg_client_release(gg_client* client, const char* session_id);
/* The status answer as JSON; free *json_out with gg_client_string_free. */
GG_CLIENT_API int gg_client_status(gg_client* client, char** json_out);
/* Any request as JSON (its "id" is replaced); the raw answer line. */
GG_CLIENT_API int gg_client_call_json(gg_client* client,
                                      const char* request_json,
                                      char** answer_out);
GG_CLIENT_API void gg_client_string_free(char* s);

/* Events: with a callback set, each event is delivered to it during any
 * call; without one they queue for gg_client_poll_event. */
GG_CLIENT_API void gg_client_set_event_callback(gg_client* client,
                                                gg_event_callback callback,
                                                void* user_data);
/* Waits up to timeout_ms (0: no wait) for an event. 1 got one, 0 none,
 * GG_ERR_UNAVAILABLE (negated: -1) when the connection is gone. */
GG_CLIENT_API int gg_client_poll_event(gg_client* client,
                                       int timeout_ms,
                                       gg_event* out);

/* The last failure on this handle, for logs; never NULL. */
GG_CLIENT_API const char* gg_client_last_error(const gg_client* client);
/* A static description of a return code. */
GG_CLIENT_API const char* gg_client_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* GG_CLIENT_H_ */
