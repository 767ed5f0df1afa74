"""Pull: Salesforce into Backstory, object by object over checkpointed windows.

`salesforce_pull()` is the use case; the objects, their order and what a CRM delete does to each
are in docs/salesforce.md.
"""

from .base import ObjectReport, PullReport
from .engine import PULL_ORDER, UnknownObject, pull_objects, salesforce_pull

__all__ = ["PULL_ORDER", "ObjectReport", "PullReport", "UnknownObject", "pull_objects", "salesforce_pull"]
