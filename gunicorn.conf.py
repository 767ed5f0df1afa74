"""gunicorn settings, read from the working directory (``gunicorn backstory.wsgi``).

The worker timeout stays above the Query API's statement time limit, so a slow query answers the
API's JSON 504 (``query_timeout``) instead of gunicorn killing the worker mid-request.
"""

import os

_statement_seconds = float(os.environ.get("QUERY_API_STATEMENT_TIMEOUT", "15"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", _statement_seconds + 15))
graceful_timeout = timeout
