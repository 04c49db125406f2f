"""Django's makemessages, which also reads the Jinja2 templates of the plan page.

Django reads every .html file as a Django template; the Jinja2 templates'
`{{ _("...", name=x) }}`, `ngettext(...)` and `{% trans %}` blocks would be missed.
Files under the Jinja2 backend's DIRS are read with Jinja2's own extractor
instead, written out as gettext() calls on the lines they come from, so the
catalogue's references point at the template lines."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages
from jinja2.ext import babel_extract

# The functions the templates call (Jinja2's i18n extension installs these).
KEYWORDS = ("_", "gettext", "ngettext", "pgettext", "npgettext")
# As actionplans.jinja_env sets them up: the same %-escaping of the msgids.
EXTRACT_OPTIONS = {"newstyle_gettext": "true"}


def jinja2_dirs() -> list[Path]:
    return [
        Path(directory).resolve()
        for backend in settings.TEMPLATES
        if backend["BACKEND"].endswith(".Jinja2")
        for directory in backend.get("DIRS", ())
    ]


def is_jinja2_template(path: str | Path) -> bool:
    resolved = Path(path).resolve()
    return any(resolved.is_relative_to(directory) for directory in jinja2_dirs())


def jinja2_templatize(source: str) -> str:
    """Python source that xgettext reads: each message of the Jinja2 template as a
    gettext/ngettext/pgettext/npgettext call on the template's line."""
    calls: dict[int, list[str]] = {}
    found = babel_extract(io.BytesIO(source.encode()), KEYWORDS, [], EXTRACT_OPTIONS)
    for lineno, funcname, message, _comments in found:
        args = message if isinstance(message, tuple) else (message,)
        if not args or not isinstance(args[0], str):
            continue  # _(variable): nothing to translate here
        name = "gettext" if funcname == "_" else funcname
        written = ", ".join("n" if arg is None else repr(arg) for arg in args)
        calls.setdefault(lineno, []).append(f"{name}({written})")
    last = max(calls, default=0)
    return "".join("; ".join(calls.get(line, [])) + "\n" for line in range(1, last + 1))


class BuildFile(makemessages.BuildFile):
    def preprocess(self):
        if self.domain != "django" or not is_jinja2_template(self.path):
            return super().preprocess()
        with open(self.path, encoding="utf-8") as fp:
            content = jinja2_templatize(fp.read())
        with open(self.work_path, "w", encoding="utf-8") as fp:
            fp.write(content)


class Command(makemessages.Command):
    build_file_class = BuildFile
    # No fuzzy guesses: gettext's nearest-msgid matches ("Action points" offered for
    # "No such action point.") are wrong more often than not; a new msgid waits
    # for its translation instead.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
