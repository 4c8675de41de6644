"""geckoguard: ask the local GeckoGuard license agent (spec/ipc.md).

    from geckoguard import Client, reasons
    with Client() as agent:                  # GG_AGENT_SOCKET or the default
        v = agent.authorize(PRODUCT_ID, LICENSE_KEY, app=("MyApp", "1.2"))
        if not v.allow:
            show(v.user_message())          # reasons.default_message(code)

Fail closed: v.allow is True only for an explicit allow from the agent;
anything else is a deny with a reason (AGENT_UNAVAILABLE when the agent
cannot be reached). AsyncClient is the asyncio twin.
"""
from . import reasons
from ._core import DEFAULT_TIMEOUT, MAX_FRAME_BYTES, Event
from .aio import AsyncClient
from .answer import Verdict, verdict_from_answer
from .client import AgentUnavailableError, Client

__all__ = ["AgentUnavailableError", "AsyncClient", "Client", "DEFAULT_TIMEOUT",
           "Event", "MAX_FRAME_BYTES", "Verdict", "reasons",
           "verdict_from_answer"]
__version__ = "0.1.0"
