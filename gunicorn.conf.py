"""gunicorn's settings for the app server. gunicorn reads ./gunicorn.conf.py from the
directory it starts in: the checkout, for deploy/pim-tracker-web.service (its
WorkingDirectory), `make loadtest` and `make cluster-test`. Options given on the
command line (`--workers 4`, `--bind`) win over these.
"""


def post_worker_init(worker) -> None:
    """Import the URLconf, and with it every view, before the worker takes its first
    request: otherwise that request waits for the imports (seconds on a busy
    machine), and after every restart or reload of a worker the next one does."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (reading the property imports them)
