"""English is British English here: day before month, weeks from Monday."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
