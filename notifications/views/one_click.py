"""One-click update pages (being written)."""

from django.http import Http404


def one_click(request, token):
    raise Http404
