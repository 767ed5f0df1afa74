"""A local stand-in for the Salesforce REST API.

It speaks the real wire protocol over HTTPS so the unmodified simple-salesforce client can
be pointed at it in tests and demos. Plain Python, no Django: see `server.StandinServer`
(lifecycle), `store.Store` (org data and write rules), `query` / `soql` (SOQL),
`faults.FaultPlan` (injected failures) and `rest.RestApi` (the endpoints).
"""

from .errors import ApiError
from .faults import FaultPlan, FaultRule
from .rest import RestApi, Sessions
from .schema import DEFAULT_STAGES, Stage
from .server import StandinServer
from .store import SMALL_ORG, ManualClock, Store

__all__ = [
    "ApiError",
    "DEFAULT_STAGES",
    "FaultPlan",
    "FaultRule",
    "ManualClock",
    "RestApi",
    "SMALL_ORG",
    "Sessions",
    "Stage",
    "StandinServer",
    "Store",
]
