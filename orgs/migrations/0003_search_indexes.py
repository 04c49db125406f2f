# Written by hand: the trigram index behind the action-point search by a focal
# point's name (actionplans.filtersets.ActionPointFilterSet.filter_text).

from django.db import migrations

from pim_tracker.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_api_tokens"),
    ]

    operations = [
        trigram_indexes(("orgs_person_name_trgm", "orgs_person", "name")),
    ]
