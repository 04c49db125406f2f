"""What happened to an action point, announced by the services for whoever listens
(the notifications app). Sent inside the service's transaction: a listener's
writes commit or roll back with the change itself."""

from django.dispatch import Signal

# action_point, person (orgs.Person), user (who named them; None for the system)
focal_point_named = Signal()
# change (DeadlineChange), user
action_point_rescheduled = Signal()
# update (ProgressUpdate), user
progress_recorded = Signal()
# request (ExtensionRequest): asked, then approved or declined
extension_requested = Signal()
extension_decided = Signal()
# kept, merged (orgs.Person), user: sent by services.person_merge once the
# actionplans rows have moved and before `merged` is deleted; a listener moves its
# own rows that point at `merged` (a row left behind refuses the merge).
person_merged = Signal()
