"""Login required everywhere, except the REST API, which answers for itself.

The API authenticates by token as well as by session and says 401/403 in JSON;
a redirect to the sign-in page would mean nothing to a partner system.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired

API_PREFIX = "/api/"


class LoginRequiredMiddleware(BaseLoginRequired):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
