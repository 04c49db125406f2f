"""What changed among people and organizations, announced by orgs.services for
whoever shows them (actionplans: the focal points of its action points). Sent
inside the service's transaction."""

from django.dispatch import Signal

# person, changed (names of the fields whose values changed)
person_changed = Signal()
# organization, changed (names of the fields whose values changed)
organization_changed = Signal()
