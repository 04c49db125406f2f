"""Typing people in the browser: suggestions as one types, picking one, and workshop
text confirmed before it is saved."""

import re

import pytest
from playwright.sync_api import expect

from actionplans.models import ActionPoint
from actionplans.services import working_group_create
from orgs.services import organization_get_or_create, person_create
from tests.browser.helpers import label
from tests.factories import ActionPlanFactory, ChallengeFactory, UserFactory, WorkingGroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _named_in(plan, name: str, organization: str):
    person = person_create(name=name, organization=organization_get_or_create(name=organization))
    working_group_create(plan=plan, name=f"Group of {name} ({organization})", team_leader=person)
    return person


@pytest.fixture
def plans():
    coordinator = UserFactory(username="coordinator")
    plan = ActionPlanFactory(title="PIM Lebanon Action Plan", country="Lebanon")
    neighbour = ActionPlanFactory(title="PIM Lebanon 2018", country="Lebanon")
    iraq = ActionPlanFactory(title="PIM Iraq 2019", country="Iraq")
    for each in (plan, neighbour, iraq):
        each.coordinators.add(coordinator)
    challenge = ChallengeFactory(
        working_group=WorkingGroupFactory(plan=plan, number=1, name="Data Sharing"),
        number=1,
        description="Lack of tools",
    )
    fanette = _named_in(neighbour, "Fanette", "UNHCR")
    namesake = _named_in(iraq, "Fanette", "IOM")
    return coordinator, plan, challenge, fanette, namesake


def test_type_pick_a_suggested_person_and_save(page, live_server, sign_in, plans, artifacts):
    coordinator, plan, challenge, fanette, namesake = plans
    sign_in(page, coordinator)
    page.goto(f"{live_server.url}/challenges/{challenge.pk}/action-points/add/")
    page.get_by_label(label("Action point")).fill("IMWG to recommend standardized tools")

    name = page.get_by_label("Name of focal point 1")
    name.press_sequentially("Fan", delay=50)

    listbox = page.locator(f"#{name.get_attribute('id')}-suggestions")
    expect(listbox).to_be_visible()
    expect(name).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    # The operation's Fanette first, with her organization and plan; the namesake of
    # another country after her.
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Fanette UNHCR · PIM Lebanon 2018")
    expect(options.nth(1)).to_contain_text("Fanette IOM · PIM Iraq 2019 (another operation)")
    page.screenshot(path=artifacts / "people-suggestions.png")

    # Keyboard: down to the second, up to the first, Enter picks (and does not submit).
    name.press("ArrowDown")
    name.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    name.press("ArrowUp")
    expect(name).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    name.press("Enter")
    expect(listbox).to_be_hidden()
    expect(name).to_have_value("Fanette")
    expect(page.locator("#id_fp-0-person")).to_have_value(str(fanette.pk))

    page.get_by_role("button", name="Save").click()

    point = ActionPoint.objects.get(challenge=challenge)
    expect(page).to_have_url(f"{live_server.url}/plans/{plan.pk}/#ap-{point.pk}")
    expect(page.locator(f"#ap-{point.pk}")).to_contain_text("Fanette (UNHCR)")
    assert [fp.person for fp in point.focal_points.all()] == [fanette]


def test_workshop_text_is_confirmed_then_both_people_have_their_roles(
    page, live_server, sign_in, plans, artifacts
):
    coordinator, plan, challenge, fanette, namesake = plans
    sign_in(page, coordinator)
    page.goto(f"{live_server.url}/challenges/{challenge.pk}/action-points/add/")
    page.get_by_label(label("Action point")).fill("Share the 4W template")
    page.get_by_label("Name of focal point 1").fill("Fanette (Fred can advise)")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Save").click()

    confirmation = page.get_by_role("region", name="Check who this names")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text("This will name:")
    expect(confirmation).to_contain_text(
        re.compile(r"Fanette — lead\s+· already in the directory, UNHCR")
    )
    expect(confirmation).to_contain_text(re.compile(r"Fred — advisor\s+· new person"))
    page.screenshot(path=artifacts / "people-confirmation.png", full_page=True)
    assert not ActionPoint.objects.filter(challenge=challenge).exists()

    confirmation.get_by_role("button", name="Confirm and save").click()

    point = ActionPoint.objects.get(challenge=challenge)
    expect(page).to_have_url(f"{live_server.url}/plans/{plan.pk}/#ap-{point.pk}")
    card = page.locator(f"#ap-{point.pk}")
    expect(card).to_contain_text("Fanette (UNHCR)")
    expect(card).to_contain_text("Fred – advisor")
    assert [(fp.person.name, fp.role) for fp in point.focal_points.order_by("id")] == [
        ("Fanette", "lead"),
        ("Fred", "advisor"),
    ]
    assert point.focal_points.get(role="lead").person == fanette
