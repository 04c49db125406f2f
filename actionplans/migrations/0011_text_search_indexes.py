"""GIN indexes of the `q=` search's words (actionplans.search), on PostgreSQL only."""

from django.db import migrations

from actionplans.search import index_operations


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0010_comment_extension_updated"),
        ("orgs", "0006_sync_indexes"),
    ]

    operations = [
        index_operations(
            [
                ("actionplans", "ActionPoint", "description", "actionplans_ap_description_fts"),
                ("actionplans", "ActionPoint", "deadline", "actionplans_ap_deadline_fts"),
                ("actionplans", "Challenge", "description", "actionplans_challenge_desc_fts"),
                ("orgs", "Person", "name", "orgs_person_name_fts"),
            ]
        )
    ]
