#!/usr/bin/env python3
"""A protected Python app: asks the local GeckoGuard agent through the
geckoguard package (clients/python, stdlib only; `pip install
./clients/python`, or run from a checkout as here).

    python3 gg_client.py PRODUCT_ID LICENSE_KEY

Exit: 0 licensed, 3 denied, 1 agent unreachable.
"""
import os
import sys

try:
    import geckoguard
except ImportError:  # a checkout: use the package next door
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "clients", "python"))
    import geckoguard

from geckoguard import Client, reasons


def main(argv):
    if len(argv) != 3:
        print("usage: gg_client.py PRODUCT_ID LICENSE_KEY", file=sys.stderr)
        return 1
    with Client() as agent:  # GG_AGENT_SOCKET, else the system socket
        v = agent.authorize(argv[1], argv[2], app=("gg_client.py", "1.0"))
    # Closing the connection ended the session it opened.
    if v.allow:
        print("licensed until %s" % (v.effective_expires_at or "no expiry"))
        return 0
    print("not licensed: %s" % v.user_message(), file=sys.stderr)
    return 1 if v.reason_code == reasons.AGENT_UNAVAILABLE else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
