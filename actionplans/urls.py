from django.urls import path

from actionplans import views, views_dashboard, views_transfer

app_name = "actionplans"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/add/", views.plan_add, name="plan_add"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<int:pk>/activity/", views.plan_activity, name="plan_activity"),
    path("plans/<int:pk>/dashboard/", views_dashboard.plan_dashboard, name="plan_dashboard"),
    path("dashboard/", views_dashboard.portfolio, name="portfolio"),
    path("plans/import/", views_transfer.plan_import, name="plan_import"),
    path("plans/<int:pk>/import/", views_transfer.plan_import, name="plan_import_into"),
    path(
        "plans/<int:pk>/export.csv",
        views_transfer.plan_export,
        {"kind": "csv"},
        name="plan_export_csv",
    ),
    path(
        "plans/<int:pk>/export-hxl.csv",
        views_transfer.plan_export,
        {"kind": "hxl"},
        name="plan_export_hxl",
    ),
    path(
        "plans/<int:pk>/export.xlsx",
        views_transfer.plan_export,
        {"kind": "xlsx"},
        name="plan_export_xlsx",
    ),
    path(
        "action-points/export.csv",
        views_transfer.action_points_export,
        name="action_points_export_csv",
    ),
    path("account/calendar/", views_transfer.calendar_feeds, name="calendar_feeds"),
    path(
        "account/calendar/<int:pk>/revoke/",
        views_transfer.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path(
        "calendar/<str:key>/plans/<int:pk>.ics", views_transfer.calendar_plan, name="calendar_plan"
    ),
    path(
        "calendar/<str:key>/people/<int:pk>.ics",
        views_transfer.calendar_person,
        name="calendar_person",
    ),
    path("plans/<int:plan_pk>/groups/add/", views.workinggroup_add, name="workinggroup_add"),
    path("groups/<int:pk>/edit/", views.workinggroup_edit, name="workinggroup_edit"),
    path("groups/<int:pk>/move/", views.workinggroup_move, name="workinggroup_move"),
    path("groups/<int:pk>/delete/", views.workinggroup_delete, name="workinggroup_delete"),
    path("groups/<int:group_pk>/challenges/add/", views.challenge_add, name="challenge_add"),
    path("challenges/<int:pk>/edit/", views.challenge_edit, name="challenge_edit"),
    path("challenges/<int:pk>/move/", views.challenge_move, name="challenge_move"),
    path("challenges/<int:pk>/delete/", views.challenge_delete, name="challenge_delete"),
    path(
        "challenges/<int:challenge_pk>/action-points/add/",
        views.actionpoint_add,
        name="actionpoint_add",
    ),
    path("action-points/<int:pk>/", views.actionpoint_detail, name="actionpoint_detail"),
    path("action-points/<int:pk>/edit/", views.actionpoint_edit, name="actionpoint_edit"),
    path("action-points/<int:pk>/update/", views.actionpoint_update, name="actionpoint_update"),
    path(
        "action-points/<int:pk>/update-form/",
        views.actionpoint_update_form,
        name="actionpoint_update_form",
    ),
    path(
        "action-points/<int:pk>/reschedule/",
        views.actionpoint_reschedule,
        name="actionpoint_reschedule",
    ),
    path("action-points/<int:pk>/move/", views.actionpoint_move, name="actionpoint_move"),
    path("action-points/<int:pk>/delete/", views.actionpoint_delete, name="actionpoint_delete"),
    path("my/action-points/", views.my_action_points, name="my_action_points"),
]
