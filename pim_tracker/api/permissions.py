"""Who may call what: signed in, a read-only token never writes, and each
viewset's own rule (which asks actionplans.permissions)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated


class ReadOnlyTokenPermission(BasePermission):
    """A read-only token can never write, whatever its owner may do."""

    message = _("This token is read-only: it can read, not change.")

    def has_permission(self, request, view) -> bool:
        # request.auth is the token for token authentication, None for a session.
        if getattr(request.auth, "read_only", False):
            return request.method in SAFE_METHODS
        return True


class Rules(BasePermission):
    """Asks the viewset's can_create / can_change, which call the apps' permissions."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or view.action != "create":
            return True
        return view.can_create(request)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return view.can_change(request, obj)


# Setting permission_classes replaces REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES
# rather than adding to them: the defaults (signed in; a read-only token never
# writes) are repeated here, before the viewset's rules.
PERMISSIONS = [IsAuthenticated, ReadOnlyTokenPermission, Rules]
