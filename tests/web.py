"""One HTTP client for the tests' requests to the servers they start on 127.0.0.1.

``httpx.get()`` and its like make a new client for each request, and with it a TLS context that
reads every certificate of certifi's bundle (some 35 ms of CPU): the suite's hundreds of requests
spent seconds on it. This client is made once and, like them, keeps no connection open between
requests (each opens its own, as a new client would), so that a server sees what it saw."""

from __future__ import annotations

import httpx

http = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))
