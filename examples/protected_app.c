/* A small protected app in C: asks the local GeckoGuard agent through
 * libggclient, handles the answer the way the API's "Recommended client
 * handling" does, then keeps its session alive with heartbeats and reacts
 * to pushed verdict events.
 *
 *   protected_app PRODUCT_ID LICENSE_KEY [SECONDS]
 *
 * Exit: 0 licensed run finished, 3 denied, 1 agent unreachable/error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gg/client.h"

static const char* UserMessage(const gg_verdict* v) {
  const char* r = v->reason_code;
  if (!strcmp(r, "LICENSE_NOT_FOUND") || !strcmp(r, "PRODUCT_MISMATCH"))
    return "Invalid license key";
  if (!strcmp(r, "LICENSE_EXPIRED") || !strcmp(r, "LICENSE_EXPIRED_RELATIVE"))
    return "License has expired";
  if (!strcmp(r, "LICENSE_REVOKED"))
    return "License has been revoked";
  if (!strcmp(r, "HWID_MISMATCH") || !strcmp(r, "HWID_LIMIT_EXCEEDED"))
    return "License is bound to a different device";
  if (!strcmp(r, "HWID_BLACKLISTED") || !strcmp(r, "IP_BLACKLISTED"))
    return "Access denied";
  if (!strcmp(r, "CONCURRENCY_LIMIT_EXCEEDED"))
    return "Too many active sessions. Close other instances first.";
  if (!strcmp(r, "AGENT_UNAVAILABLE"))
    return "The license service is not running";
  return v->message[0] ? v->message : "Validation failed";
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s PRODUCT_ID LICENSE_KEY [SECONDS]\n", argv[0]);
    return 1;
  }
  int seconds = argc > 3 ? atoi(argv[3]) : 10;
  gg_client* client = gg_client_new(NULL); /* GG_AGENT_SOCKET or default */
  if (client == NULL) {
    return 1;
  }
  gg_verdict v;
  int rc = gg_client_authorize(client, argv[1], argv[2], "protected_app", "1.0",
                               0, &v);
  if (!v.allow) { /* the only check that matters: fail closed */
    fprintf(stderr, "not licensed: %s\n", UserMessage(&v));
    if (rc != GG_OK) {
      fprintf(stderr, "(%s: %s)\n", gg_client_strerror(rc),
              gg_client_last_error(client));
    }
    gg_client_free(client);
    return rc == GG_OK ? 3 : 1;
  }
  printf("licensed (source %s, expires %s)\n", v.source,
         v.effective_expires_at[0] ? v.effective_expires_at : "never");
  for (int i = 0; i < seconds; ++i) {
    gg_event ev;
    /* Wait a second for an event; that is also our work loop's tick. */
    if (gg_client_poll_event(client, 1000, &ev) == 1) {
      if (!strcmp(ev.type, "shutdown") ||
          (!strcmp(ev.type, "verdict") && !ev.verdict.allow)) {
        fprintf(stderr, "license withdrawn: %s\n",
                ev.type[0] == 's' ? "agent shutting down"
                                  : UserMessage(&ev.verdict));
        gg_client_free(client);
        return 3;
      }
    }
    if (i % 5 == 4) {
      gg_verdict hb;
      gg_client_heartbeat(client, v.session_id, &hb);
      if (!hb.allow) {
        fprintf(stderr, "license withdrawn: %s\n", UserMessage(&hb));
        gg_client_free(client);
        return 3;
      }
    }
  }
  gg_client_release(client, v.session_id);
  gg_client_free(client);
  printf("done\n");
  return 0;
}
