"""What happened to an action point, announced by the services for whoever listens
(the notifications app). Sent inside the service's transaction: a listener's
writes commit or roll back with the change itself."""

from django.dispatch import Signal

# action_point, user: a new action point, its focal points written
action_point_created = Signal()
# action_point (the saved copy), user: any change to an existing action point (what it
# says, its deadline, status, focal points, tags, verification); sent by save_point,
# so once per write, also for the writes that send a more specific signal below
action_point_changed = Signal()
# action_point_id, plan_id, challenge_id, user: sent just before the row goes
action_point_deleted = Signal()
# plan, user: its own fields, status or coordinators changed
plan_changed = Signal()
# action_point, person (orgs.Person), user (who named them; None for the system)
focal_point_named = Signal()
# change (DeadlineChange), user
action_point_rescheduled = Signal()
# update (ProgressUpdate), user
progress_recorded = Signal()
# update (ProgressUpdate: the one that completed it), user (None for a one-click
# link of a person without account: update.reported_by)
action_point_completed = Signal()
# action_point, user (the coordinator who verified it)
action_point_verified = Signal()
# update (ProgressUpdate back to in progress, its note the reason), user (who sent it
# back), completed_by (the account that had completed it, or None), completed_by_person
# (the person who completed it from a one-click link without account, or None)
action_point_sent_back = Signal()
# request (ExtensionRequest): asked, then approved or declined
extension_requested = Signal()
extension_decided = Signal()
# comment (Comment), mentioned (the orgs.Person list newly mentioned: all of them when
# posted, those added by an edit), user
comment_posted = Signal()
# comment (Comment), user: a coordinator deleted it (its text leaves the notifications)
comment_deleted = Signal()
# kept, merged (orgs.Person), user: sent by services.person_merge once the
# actionplans rows have moved and before `merged` is deleted; a listener moves its
# own rows that point at `merged` (a row left behind refuses the merge).
person_merged = Signal()
