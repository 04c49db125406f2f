"""Pages of plans and action points."""

from django.urls import path

from actionplans.views import (
    action_points,
    bulk,
    calendar,
    comments,
    dashboards,
    duplicates,
    extensions,
    people,
    plans,
    saved_views,
    status_report,
    structure,
    suggestions,
    transfer,
    verification,
)
from actionplans.views.home import home

app_name = "actionplans"

urlpatterns = [
    # "/" and where signing in leads: members to their action points, others to the plans.
    path("", home, name="home"),
    # Plans
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/add/", plans.plan_add, name="plan_add"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/close/", plans.plan_close, name="plan_close"),
    path("plans/<int:pk>/reopen/", plans.plan_reopen, name="plan_reopen"),
    path("plans/<int:pk>/delete/", plans.plan_delete, name="plan_delete"),
    path("plans/<int:pk>/activity/", plans.plan_activity, name="plan_activity"),
    path("plans/<int:pk>/bulk-edit/", bulk.plan_bulk_edit, name="plan_bulk_edit"),
    # Dashboards
    path("plans/<int:pk>/dashboard/", dashboards.plan_dashboard, name="plan_dashboard"),
    path("dashboard/", dashboards.portfolio, name="portfolio"),
    # The status report for the monthly meeting (one plan, or every plan you may see)
    path(
        "plans/<int:pk>/status-report/",
        status_report.plan_status_report,
        name="plan_status_report",
    ),
    path(
        "plans/<int:pk>/status-report.xlsx",
        status_report.plan_status_report_xlsx,
        name="plan_status_report_xlsx",
    ),
    path("status-report/", status_report.status_report, name="status_report"),
    path("status-report.xlsx", status_report.status_report_xlsx, name="status_report_xlsx"),
    # Import and export
    path("plans/import/", transfer.plan_import, name="plan_import"),
    path("plans/<int:pk>/import/", transfer.plan_import, name="plan_import_into"),
    path(
        "plans/<int:pk>/export.csv", transfer.plan_export, {"kind": "csv"}, name="plan_export_csv"
    ),
    path(
        "plans/<int:pk>/export-hxl.csv",
        transfer.plan_export,
        {"kind": "hxl"},
        name="plan_export_hxl",
    ),
    path(
        "plans/<int:pk>/export.xlsx",
        transfer.plan_export,
        {"kind": "xlsx"},
        name="plan_export_xlsx",
    ),
    path(
        "action-points/export.csv",
        transfer.action_points_export,
        name="action_points_export_csv",
    ),
    # Calendar feeds
    path("account/calendar/", calendar.calendar_feeds, name="calendar_feeds"),
    path(
        "account/calendar/<int:pk>/revoke/",
        calendar.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:key>/plans/<int:pk>.ics", calendar.calendar_plan, name="calendar_plan"),
    path(
        "calendar/<str:key>/people/<int:pk>.ics", calendar.calendar_person, name="calendar_person"
    ),
    # Structure
    path("plans/<int:plan_pk>/groups/add/", structure.workinggroup_add, name="workinggroup_add"),
    path("groups/<int:pk>/edit/", structure.workinggroup_edit, name="workinggroup_edit"),
    path("groups/<int:pk>/move/", structure.workinggroup_move, name="workinggroup_move"),
    path("groups/<int:pk>/delete/", structure.workinggroup_delete, name="workinggroup_delete"),
    path("groups/<int:group_pk>/challenges/add/", structure.challenge_add, name="challenge_add"),
    path("challenges/<int:pk>/edit/", structure.challenge_edit, name="challenge_edit"),
    path("challenges/<int:pk>/move/", structure.challenge_move, name="challenge_move"),
    path("challenges/<int:pk>/delete/", structure.challenge_delete, name="challenge_delete"),
    path("action-points/<int:pk>/move/", structure.actionpoint_move, name="actionpoint_move"),
    path(
        "action-points/<int:pk>/move-to/",
        structure.actionpoint_move_to,
        name="actionpoint_move_to",
    ),
    path("action-points/<int:pk>/delete/", structure.actionpoint_delete, name="actionpoint_delete"),
    # Action points
    path(
        "challenges/<int:challenge_pk>/action-points/add/",
        action_points.actionpoint_add,
        name="actionpoint_add",
    ),
    path("action-points/<int:pk>/", action_points.actionpoint_detail, name="actionpoint_detail"),
    path("action-points/<int:pk>/edit/", action_points.actionpoint_edit, name="actionpoint_edit"),
    path(
        "action-points/<int:pk>/update/",
        action_points.actionpoint_update,
        name="actionpoint_update",
    ),
    path(
        "action-points/<int:pk>/update-form/",
        action_points.actionpoint_update_form,
        name="actionpoint_update_form",
    ),
    path(
        "action-points/<int:pk>/reschedule/",
        action_points.actionpoint_reschedule,
        name="actionpoint_reschedule",
    ),
    # Verified completion: a coordinator other than the completer verifies or sends back
    path(
        "action-points/<int:pk>/verify/",
        verification.actionpoint_verify,
        name="actionpoint_verify",
    ),
    path(
        "action-points/<int:pk>/send-back/",
        verification.actionpoint_send_back,
        name="actionpoint_send_back",
    ),
    # Comments (with @mentions) and watching
    path("action-points/<int:pk>/comments/", comments.comment_add, name="comment_add"),
    path("action-points/<int:pk>/mentions/", comments.mention_suggest, name="mention_suggest"),
    path("action-points/<int:pk>/watch/", comments.watch_toggle, name="watch_toggle"),
    path("comments/<int:pk>/edit/", comments.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", comments.comment_delete, name="comment_delete"),
    path("my/action-points/", action_points.my_action_points, name="my_action_points"),
    # Saved views (named filters of a plan's page or of "my action points")
    path("views/", saved_views.saved_view_list, name="saved_view_list"),
    path("views/add/", saved_views.saved_view_add, name="saved_view_add"),
    path("views/replace/", saved_views.saved_view_replace, name="saved_view_replace"),
    path("views/<int:pk>/edit/", saved_views.saved_view_edit, name="saved_view_edit"),
    path("views/<int:pk>/share/", saved_views.saved_view_share, name="saved_view_share"),
    path("views/<int:pk>/delete/", saved_views.saved_view_delete, name="saved_view_delete"),
    # Duplicates in the directory of people, and merging them
    path("people/duplicates/", duplicates.person_duplicates, name="person_duplicates"),
    path("people/<int:pk>/merge/<int:other>/", duplicates.person_merge, name="person_merge"),
    # A plan's people and their accounts
    path("plans/<int:pk>/people/", people.plan_people, name="plan_people"),
    path("people/suggest/", suggestions.people_suggest, name="people_suggest"),
    path(
        "plans/<int:pk>/people/<int:person_pk>/invite/",
        people.person_invite,
        name="person_invite",
    ),
    path(
        "plans/<int:pk>/people/<int:person_pk>/resend/",
        people.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "plans/<int:pk>/people/<int:person_pk>/link/",
        people.person_link_account,
        name="person_link_account",
    ),
    # Deadline extension requests
    path(
        "action-points/<int:pk>/extension/",
        extensions.extension_request_add,
        name="extension_request_add",
    ),
    path(
        "extension-requests/<int:pk>/decide/",
        extensions.extension_request_decide,
        name="extension_request_decide",
    ),
    path(
        "plans/<int:pk>/extension-requests/",
        extensions.plan_extension_requests,
        name="plan_extension_requests",
    ),
]
