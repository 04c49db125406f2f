import pytest
from django.core.exceptions import ValidationError
from actionplans import services
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
