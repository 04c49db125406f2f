"""Issue 17, finding 6: the title check of an import was an oracle for hidden plans.

Importing into a new plan with the title of a plan the importer cannot see answered
"A plan titled … exists already". Titles need not be unique (docs/domain.md): the
check covers only the plans the importer may see; a hidden plan's title does not
clash, and the answer does not mention it.
"""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from actionplans.choices import PlanVisibility
from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan
from tests.actionplans.transfer import seed_bytes, snapshot
from tests.factories import ActionPlanFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

EXISTS = "A plan titled “{}” exists already: import into it instead, so that nothing is duplicated."


@pytest.fixture
def world():
    """build_world(): "Other plan" is members-only and the coordinator has no part in it."""
    world = build_world()
    world.other_plan.title = "Secret Plan"
    world.other_plan.save()
    return world


def _upload(client, title: str):
    post = {
        "step": "upload",
        "file": SimpleUploadedFile("plan.tsv", seed_bytes()),
        "visibility": "members",
        "title": title,
    }
    return client.post("/plans/import/", post)


def _confirm(client, upload_response):
    token = upload_response.context["confirm"]["token"].value()
    return client.post("/plans/import/", {"step": "confirm", "token": token})


# --- the service ----------------------------------------------------------------------------


def test_import_title_of_hidden_plan_does_not_clash(world):
    result = plan_import(
        table=read_table(seed_bytes()),
        title=" secret  PLAN ",
        coordinators=[world.coordinator],
        created_by=world.coordinator,
    )

    assert result.plan_created is True
    assert result.plan.title == "secret PLAN"
    assert sorted(ActionPlan.objects.filter(title__iexact="secret plan").values_list("pk")) == [
        (world.other_plan.pk,),
        (result.plan.pk,),
    ]


def test_import_title_of_visible_plan_is_still_refused(world):
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        plan_import(
            table=read_table(seed_bytes()),
            title="pim lebanon ACTION plan",
            coordinators=[world.coordinator],
            created_by=world.coordinator,
        )

    assert excinfo.value.message_dict == {"title": [EXISTS.format("pim lebanon ACTION plan")]}
    assert snapshot() == before


def test_import_title_of_plan_open_to_all_signed_in_is_refused(world):
    ActionPlanFactory(title="Open Plan", visibility=PlanVisibility.SIGNED_IN)

    with pytest.raises(ValidationError) as excinfo:
        plan_import(table=read_table(seed_bytes()), title="Open Plan", created_by=world.coordinator)

    assert excinfo.value.message_dict == {"title": [EXISTS.format("Open Plan")]}


@pytest.mark.parametrize("role", ["admin", None])
def test_import_title_clashes_with_every_plan_for_admins_and_without_user(world, role):
    # An administrator sees every plan; manage.py import_plan runs without a user.
    created_by = getattr(world, role) if role else None

    with pytest.raises(ValidationError) as excinfo:
        plan_import(table=read_table(seed_bytes()), title="Secret Plan", created_by=created_by)

    assert excinfo.value.message_dict == {"title": [EXISTS.format("Secret Plan")]}


# --- the import page: the oracle as it was reproduced --------------------------------------


def test_import_page_hidden_title_is_accepted_without_mention(client, world):
    client.force_login(world.coordinator)

    response = _confirm(client, _upload(client, "Secret Plan"))

    created = ActionPlan.objects.exclude(pk__in=[world.plan.pk, world.other_plan.pk]).get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{created.pk}/"
    assert created.title == "Secret Plan"
    assert list(created.coordinators.all()) == [world.coordinator]
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert not any("exists already" in message for message in messages)


def test_import_page_visible_title_is_refused_on_confirm(client, world):
    client.force_login(world.coordinator)
    upload = _upload(client, "PIM Lebanon Action Plan")
    before = snapshot()

    response = _confirm(client, upload)

    assert response.status_code == 200
    assert response.context["confirm"].non_field_errors() == [
        EXISTS.format("PIM Lebanon Action Plan")
    ]
    assert snapshot() == before
