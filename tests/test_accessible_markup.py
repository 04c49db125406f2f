"""Accessibility fixes found by axe-core (tests/browser/test_accessibility.py), checked
here without a browser: the markup that names controls and lets wide tables scroll."""

import re

import pytest

from tests.factories import OrganizationFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


def test_plan_list_status_select_is_named_by_its_label(client):
    """axe select-name (critical): the plan list's status was a select inside a fieldset
    whose legend does not name it."""
    world = build_world()
    client.force_login(world.coordinator)

    html = client.get("/plans/").content.decode()

    assert '<label for="id_status">Status:</label>' in html
    assert '<select name="status" id="id_status">' in html
    assert "<legend>Status</legend>" not in html


def test_my_action_points_status_checkboxes_keep_their_legend(client):
    world = build_world()
    client.force_login(world.member)

    html = client.get("/my/action-points/").content.decode()

    assert "<fieldset><legend>Status</legend>" in html
    assert '<label for="id_status">' not in html


@pytest.mark.parametrize(
    ("role", "path", "label"),
    [
        ("coordinator", "/plans/", "Action plans"),
        ("coordinator", "/people/", "People"),
        ("coordinator", "/organizations/", "Organizations"),
        ("coordinator", "/account/tokens/", "API tokens"),
        ("member", "/my/action-points/", "My action points"),
    ],
    ids=["plan-list", "people", "organizations", "tokens", "my-action-points"],
)
def test_wide_tables_scroll_in_a_named_focusable_region(client, role, path, label):
    """Cut off at 360 px before: each table scrolls in its own region, reachable by keyboard."""
    world = build_world()
    # A row in the organizations list: the organization of a person named in the plan.
    world.member_person.organization = OrganizationFactory(name="UNHCR")
    world.member_person.save(update_fields=["organization"])
    client.force_login(getattr(world, role))

    html = client.get(path).content.decode()

    regions = re.findall(r'<div class="table-scroll"[^>]*>(?=\s*<table)', html)
    assert regions == [
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{label}">'
    ]
    assert 'class="table-wrap"' not in html
