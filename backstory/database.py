"""What "the database is unavailable" means, for everyone who must not mistake it for bad data.

The database stopped, restarting, or a connection lost: ``OperationalError`` (connection refused,
"terminating connection due to administrator command", a deadlock or a cancelled statement too,
all worth retrying) and ``InterfaceError`` (a connection already closed). Issue 15: "0 lost and 0
duplicated activities and contacts across ... database restart". So capture does not report such
an item as refused, the contact engine does not record it as a failed activity and carry on, the
web answers 503 to retry (``backstory/views.py``), and the engines' tasks retry it.
"""

from django.db import InterfaceError, OperationalError

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
