"""State changes of action plans: one function per change, atomic and validating.

Views, the API, the importer and the commands all call these, so a rule holds
the same way whichever door a change comes through. Every function takes
keyword arguments only, validates before it writes, and raises
django.core.exceptions.ValidationError (with field names where they apply) on
bad input, leaving the database untouched. A closed plan is read-only: every
change inside it is refused until it is reopened.

One module per family; this package exports them all.
"""

from actionplans.services.action_points import (
    FocalPointAssignment,
    action_point_create,
    action_point_delete,
    action_point_edit,
    action_point_update,
    focal_points_assign,
)
from actionplans.services.bulk import (
    BulkChanges,
    BulkEdit,
    action_points_bulk_edit,
    bulk_edit_preview,
)
from actionplans.services.classification import action_point_classify
from actionplans.services.comments import (
    comment_create,
    comment_delete,
    comment_edit,
    watch_start,
    watch_stop,
)
from actionplans.services.common import StaleVersionError
from actionplans.services.extensions import extension_request_create, extension_request_decide
from actionplans.services.feeds import calendar_feed_create, calendar_feed_revoke
from actionplans.services.invitations import (
    Invitation,
    invitation_resend,
    person_invite,
    person_link_account,
)
from actionplans.services.merge import MergePlan, merge_plan, person_merge
from actionplans.services.people import PlanPeople
from actionplans.services.plans import (
    PLAN_FIELDS,
    plan_close,
    plan_create,
    plan_delete,
    plan_reopen,
    plan_update,
)
from actionplans.services.saved_views import (
    saved_view_create,
    saved_view_delete,
    saved_view_update,
)
from actionplans.services.structure import (
    challenge_create,
    challenge_delete,
    challenge_update,
    sibling_move,
    working_group_create,
    working_group_delete,
    working_group_update,
)
from actionplans.services.updates import action_point_reschedule, progress_update_create
from actionplans.services.verification import action_point_send_back, action_point_verify

__all__ = [
    "BulkChanges",
    "BulkEdit",
    "PLAN_FIELDS",
    "FocalPointAssignment",
    "Invitation",
    "MergePlan",
    "PlanPeople",
    "StaleVersionError",
    "action_point_classify",
    "action_point_create",
    "action_point_delete",
    "action_point_edit",
    "action_point_reschedule",
    "action_point_send_back",
    "action_point_update",
    "action_points_bulk_edit",
    "action_point_verify",
    "bulk_edit_preview",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "challenge_create",
    "challenge_delete",
    "challenge_update",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "extension_request_create",
    "extension_request_decide",
    "focal_points_assign",
    "invitation_resend",
    "merge_plan",
    "person_invite",
    "person_link_account",
    "person_merge",
    "plan_close",
    "plan_create",
    "plan_delete",
    "plan_reopen",
    "plan_update",
    "progress_update_create",
    "saved_view_create",
    "saved_view_delete",
    "saved_view_update",
    "sibling_move",
    "watch_start",
    "watch_stop",
    "working_group_create",
    "working_group_delete",
    "working_group_update",
]
