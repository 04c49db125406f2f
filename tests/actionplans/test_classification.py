import pytest
from django.core.exceptions import ValidationError

from actionplans import services
from actionplans.choices import PimCategory, PimPrinciple, PimProcessStep, Priority
from actionplans.models import ActionPoint, PimTag, with_pim_tags
from tests.factories import ActionPointFactory

pytestmark = pytest.mark.django_db


def test_classify():
    point = ActionPointFactory()
    v = point.version
    services.action_point_classify(
        action_point=point,
        user=None,
        pim_categories=["protection_monitoring", "population_data"],
        pim_principles=["do_no_harm"],
        pim_process_step="design_im_systems",
        priority="high",
    )
    point.refresh_from_db()
    assert point.version == v + 1
    assert point.pim_categories == ["population_data", "protection_monitoring"]
    assert point.pim_principles == ["do_no_harm"]
    assert (point.priority, point.pim_process_step) == ("high", "design_im_systems")
    assert list(ActionPoint.objects.tagged("category", ["population_data"])) == [point]
    services.action_point_classify(
        action_point=point, user=None, pim_categories=["population_data"]
    )
    assert PimTag.history.count() == 4
    with pytest.raises(ValidationError) as e:
        services.action_point_classify(action_point=point, user=None, pim_categories=["gossip"])
    assert e.value.message_dict["pim_categories"][0].startswith('Unknown value "gossip"')
    p = ActionPoint.objects.prefetch_related(with_pim_tags()).get()
    assert p.pim_categories == ["population_data"]


# --- issue 19, tags where people set them: the service's rules the forms and API rely on


def test_unknown_values_name_field_and_value_and_write_nothing():
    point = ActionPointFactory()
    cases = [
        ("pim_categories", {"pim_categories": ["case_management", "gossip", "rumour"]}),
        ("pim_principles", {"pim_principles": ["rumour"]}),
        ("pim_process_step", {"pim_process_step": "dream"}),
        ("priority", {"priority": "urgent"}),
        ("priority", {"priority": ""}),
    ]
    allowed = {
        "pim_categories": PimCategory.values,
        "pim_principles": PimPrinciple.values,
        "pim_process_step": PimProcessStep.values,
        "priority": Priority.values,
    }
    for field, kwargs in cases:
        with pytest.raises(ValidationError) as error:
            services.action_point_classify(action_point=point, user=None, **kwargs)
        bad = next(iter(kwargs.values()))
        bad = [v for v in bad if v not in allowed[field]] if isinstance(bad, list) else [bad]
        quoted = '", "'.join(bad)
        assert error.value.message_dict == {
            field: [f'Unknown value "{quoted}". Use one of: {", ".join(allowed[field])}.']
        }
    point.refresh_from_db()
    assert (point.version, PimTag.objects.count(), point.priority) == (1, 0, "normal")


def test_unchanged_classification_keeps_the_version_and_blank_clears_the_step():
    point = ActionPointFactory()
    services.action_point_classify(
        action_point=point, user=None, pim_categories=[], priority="normal", pim_process_step=""
    )
    point.refresh_from_db()
    assert point.version == 1
    services.action_point_classify(
        action_point=point, user=None, pim_process_step="evaluate_impact"
    )
    services.action_point_classify(action_point=point, user=None, pim_process_step="")
    point.refresh_from_db()
    assert (point.pim_process_step, point.version) == ("", 3)


def test_classification_checks_the_version_and_refuses_a_closed_plan():
    point = ActionPointFactory()
    with pytest.raises(services.StaleVersionError):
        services.action_point_classify(
            action_point=point, user=None, priority="high", expected_version=7
        )
    plan = point.challenge.working_group.plan
    plan.status = "closed"
    plan.save(update_fields=["status"])
    with pytest.raises(ValidationError) as error:
        services.action_point_classify(action_point=point, user=None, priority="high")
    assert error.value.messages == ["This plan is closed: reopen it before changing it."]
    point.refresh_from_db()
    assert (point.priority, point.version) == ("normal", 1)
