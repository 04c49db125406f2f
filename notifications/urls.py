from django.urls import path

from notifications.views import inbox, one_click, preferences

app_name = "notifications"

urlpatterns = [
    path("notifications/", inbox.notification_list, name="list"),
    path("notifications/read/", inbox.notification_mark_read, name="mark_read"),
    path("account/notifications/", preferences.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", preferences.unsubscribe, name="unsubscribe"),
    path("u/<str:token>/", one_click.one_click, name="one_click"),
]
