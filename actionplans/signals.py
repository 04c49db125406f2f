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
