"""Token authentication of the REST API, beside the tokens it reads.

DRF imports this module while it is itself being imported (the setting names
it), so it must not import rest_framework.views.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from orgs.services import api_token_authenticate


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` with a key from issue_token or the tokens page."""

    keyword = "Token"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: use 'Token <key>', with no spaces in the key.")
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
