"""Formats of the site's languages that differ from Django's (settings.FORMAT_MODULE_PATH)."""
