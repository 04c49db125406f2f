"""The notifications list of a signed-in user."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from notifications import services
from notifications.selectors import notifications_of
from pim_tracker.http import safe_next

PAGE_SIZE = 50


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "nav": "notifications"},
    )


@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    services.mark_read(user=request.user, ids=ids or None)
    return redirect(safe_next(request, "notifications:list"))
