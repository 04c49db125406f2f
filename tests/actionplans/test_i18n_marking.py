"""The actionplans app's text is marked for translation: a catalogue's translations
reach the Django templates, the plan page's Jinja2 templates and the Python code,
and makemessages finds the Jinja2 templates' messages.

The French here is a tiny catalogue written by the test (the real catalogues come
with the translations); English pages are checked by the other tests."""

import datetime
import shutil
import struct
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from actionplans.choices import ActionPointStatus
from actionplans.jinja_env import environment
from actionplans.management.commands.makemessages import (
    is_jinja2_template,
    jinja2_templatize,
)
from tests.factories import ActionPointFactory
from tests.users import build_world

FRENCH = {
    # Django templates
    "Recent activity": "Activité récente",
    "Filter action points": "Filtrer les points d'action",
    # Jinja2 templates (the plan page's body)
    "Save update": "Enregistrer la mise à jour",
    "Group %(number)s": "Groupe %(number)s",
    "Team leader:": "Chef d'équipe :",
    "Deadline:": "Échéance :",
    "by %(day)s": "avant le %(day)s",
    # Python: choices, badges (plural forms), forms
    "Not started": "Pas commencé",
    "Overdue by %(duration)s": "En retard de %(duration)s",
    ("%(num)d year", "%(num)d years"): ("%(num)d an", "%(num)d ans"),
    ("%(num)d month", "%(num)d months"): ("%(num)d mois", "%(num)d mois"),
    "%(years)s %(months)s": "%(years)s et %(months)s",
    "Progress (%)": "Avancement (%)",
}


def _mo(messages: dict) -> bytes:
    """A GNU .mo catalogue (the format msgfmt writes) of these messages."""
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"
    entries = {"": header}
    for key, value in messages.items():
        entries["\0".join(key) if isinstance(key, tuple) else key] = (
            "\0".join(value) if isinstance(value, tuple) else value
        )
    keys = sorted(entries)
    ids = [key.encode() for key in keys]
    strs = [entries[key].encode() for key in keys]
    start = 7 * 4 + 16 * len(keys)
    offsets, data = [], b""
    for text in ids + strs:
        offsets.append((len(text), start + len(data)))
        data += text + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    table = b"".join(struct.pack("<2I", *pair) for pair in offsets)
    return head + table + data


@pytest.fixture
def french(settings, tmp_path):
    """A French catalogue in a locale folder of its own, active for the test."""
    folder = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.mo").write_bytes(_mo(FRENCH))
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    if not any(code == "fr" for code, _name in settings.LANGUAGES):
        settings.LANGUAGES = [*settings.LANGUAGES, ("fr", "Français")]
    with translation.override("fr"):
        yield


@pytest.mark.django_db
def test_the_plan_page_reads_the_catalogue_in_django_and_jinja2_templates(client, french):
    world = build_world()
    ActionPointFactory(
        challenge=world.challenge,
        position=2,
        description="Late one",
        deadline="March 2019",
        due_date=datetime.date(2019, 3, 31),
        deadline_precision="month",
    )
    client.force_login(world.coordinator)
    response = client.get(
        reverse("actionplans:plan_detail", args=[world.plan.pk]) + "?view=cards",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # Django template (actionplan_detail.html)
    assertContains(response, "Activité récente</a>")
    assertContains(response, "<summary>Filtrer les points d'action</summary>")
    # Jinja2 templates (plan_groups.html, _cards.html), with values put in
    assertContains(response, '-title">Groupe 1: ', count=1)
    assertContains(response, "<strong>Chef d'équipe :</strong>")
    assertContains(response, "<span>Échéance : <strong", count=2)
    assertContains(response, "(avant le 31 Mar 2019)")
    assertContains(response, '<button type="submit">Enregistrer la mise à jour</button>')
    # Python: a choice's label and a badge's plural form
    assertContains(response, '<span class="badge status-not_started">Pas commencé</span>')
    days = (datetime.date.today() - datetime.date(2019, 3, 31)).days
    years, months = divmod(days * 12 // 365, 12)
    words = f"{years} ans et {months} mois" if months else f"{years} ans"
    assertContains(response, f"En retard de {words}")


@pytest.mark.django_db
def test_the_forms_labels_and_choices_read_the_catalogue(french):
    from actionplans.forms import ProgressUpdateForm, RescheduleForm
    from actionplans.parsing import deadline_examples

    form = ProgressUpdateForm()
    assert str(form.fields["progress"].label) == "Avancement (%)"
    assert str(ActionPointStatus.NOT_STARTED.label) == "Pas commencé"
    # The deadline's help lists the examples of the page's language.
    help_text = str(RescheduleForm().fields["deadline"].help_text)
    assert help_text == f"Telle qu'on l'écrit, p. ex. {deadline_examples('fr')}."


def test_jinja2_gettext_escapes_the_values_it_puts_in():
    env = environment(autoescape=True, loader=None)
    rendered = env.from_string('{{ _("<b>%(name)s</b> said %(n)s", name=who, n=3) }}').render(
        who="<i>Rana</i>"
    )
    assert rendered == "<b>&lt;i&gt;Rana&lt;/i&gt;</b> said 3"
    plural = '{{ ngettext("%(num)d day", "%(num)d days", n) }}'
    assert env.from_string(plural).render(n=1) == "1 day"
    assert env.from_string(plural).render(n=4) == "4 days"


def test_makemessages_reads_the_jinja2_templates_as_jinja2():
    jinja = settings.BASE_DIR / "templates" / "jinja2" / "actionplans" / "_cards.html"
    assert is_jinja2_template(jinja)
    assert not is_jinja2_template(settings.BASE_DIR / "templates" / "base.html")
    source = jinja.read_text()
    lines = jinja2_templatize(source).split("\n")
    # Each message on its template's line, so the catalogue's references are right.
    line = next(i for i, text in enumerate(source.split("\n")) if "Save update" in text)
    assert lines[line] == "gettext('Save update')"
    assert (
        "gettext('by %(day)s', n)"
        in lines[next(i for i, text in enumerate(source.split("\n")) if "by %(day)s" in text)]
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_xgettext_finds_jinja2_messages_singular_plural_and_trans_blocks(tmp_path):
    source = (
        "{{ _('Save update') }}\n"
        "{{ _('Group %(number)s', number=g.number) }}\n"
        "{% trans count=n %}{{ count }} point{% pluralize %}{{ count }} points{% endtrans %}\n"
        "{% trans who=p.name %}Asked by {{ who }}{% endtrans %}\n"
        "<p>100 %</p>\n"
    )
    work = tmp_path / "page.html.py"
    work.write_text(jinja2_templatize(source))
    pot = tmp_path / "out.pot"
    subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "-o", str(pot), str(work)],
        check=True,
    )
    catalogue = pot.read_text()
    assert 'msgid "Save update"' in catalogue
    assert 'msgid "Group %(number)s"' in catalogue
    assert 'msgid "%(count)s point"\nmsgid_plural "%(count)s points"' in catalogue
    assert 'msgid "Asked by %(who)s"' in catalogue
    assert "100 %" not in catalogue  # text outside the markers is not a message
