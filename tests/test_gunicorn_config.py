"""gunicorn.conf.py, which gunicorn reads from the checkout it starts in."""

import runpy
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parent.parent


def test_the_worker_imports_the_views_before_its_first_request():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("post_worker_init", settings["post_worker_init"])
    config.post_worker_init(None)

    from django.urls import get_resolver

    # The URLconf is read: its patterns are cached on the resolver, not imported on demand.
    assert "url_patterns" in get_resolver().__dict__
