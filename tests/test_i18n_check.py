"""The untranslated-text checker (tests/i18n_check.py) on a tiny catalogue and pages."""

from __future__ import annotations

import pytest

from tests.i18n_check import (
    Catalogue,
    Entry,
    Finding,
    assert_translated,
    missing_translations,
    parse_po,
    untranslated,
    visible_texts,
)

PO = r"""# French translations of a tiny project.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

#: templates/base.html:3
msgid "Plans"
msgstr "Plans"

msgid "Sign out"
msgstr "Se déconnecter"

msgid "Overdue"
msgstr "En retard"

msgid "Organization"
msgstr "Organisation"

#, python-format
msgid "Added %(name)s."
msgstr "%(name)s ajouté."

#, python-format
msgid "%(count)d %(kind)s"
msgstr "%(count)d %(kind)s"

#, python-format
msgid "%(n)s person"
msgid_plural "%(n)s people"
msgstr[0] "%(n)s personne"
msgstr[1] "%(n)s personnes"

#, python-format
msgid ""
"Emails go to <strong>%(address)s</strong>, at most one a day "
"with everything for that day."
msgstr ""
"Les courriels vont à <strong>%(address)s</strong>, au plus un par jour."

msgid "newest first."
msgstr "les plus récentes d'abord."

msgid "Recorded: done&nbsp;— thank you"
msgstr "Enregistré : fait&nbsp;— merci"

msgctxt "list separator"
msgid ", "
msgstr ", "

msgid "REST API"
msgstr "API REST"

msgid "Use the REST API"
msgstr "Utiliser l'API REST"

#, fuzzy
msgid "Due today"
msgstr "Pour aujourd'hui"

msgid "Not translated yet"
msgstr ""

#~ msgid "Gone"
#~ msgstr "Parti"
"""
EMAILS_GO_TO = (
    "Emails go to <strong>%(address)s</strong>, at most one a day with everything for that day."
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_po(PO)


def test_parse_po_reads_entries_plurals_contexts_flags_and_continuations():
    entries = {entry.msgid: entry for entry in parse_po(PO)}
    assert list(entries) == [
        "Plans",
        "Sign out",
        "Overdue",
        "Organization",
        "Added %(name)s.",
        "%(count)d %(kind)s",
        "%(n)s person",
        EMAILS_GO_TO,
        "newest first.",
        "Recorded: done&nbsp;— thank you",
        ", ",
        "REST API",
        "Use the REST API",
        "Due today",
        "Not translated yet",
    ]
    assert entries["%(n)s person"] == Entry(
        msgid="%(n)s person",
        msgid_plural="%(n)s people",
        msgstrs=("%(n)s personne", "%(n)s personnes"),
        flags=frozenset({"python-format"}),
    )
    assert entries[", "].msgctxt == "list separator"
    assert entries[EMAILS_GO_TO].msgstrs == (
        "Les courriels vont à <strong>%(address)s</strong>, au plus un par jour.",
    )
    assert (entries["Due today"].translated, entries["Sign out"].translated) == (False, True)


def test_missing_translations_lists_empty_and_fuzzy_entries(catalogue):
    assert missing_translations(catalogue) == ["Due today", "Not translated yet"]


def test_visible_texts_reads_text_title_options_and_labelling_attributes():
    html = """<!doctype html><html lang="fr"><head><title>Plans · Tracker</title>
    <style>.x { content: "Sign out" }</style><script>alert("Sign out")</script></head>
    <body><nav aria-label="Principal"><a href="/" title="Change password">Plans</a></nav>
    <img src="x.png" alt="Logo"><input type="submit" value="Sign out">
    <input type="text" value="Sign out" placeholder="Search">
    <select><option>Overdue</option></select>
    <textarea>Sign out</textarea><template><p>Sign out</p></template>
    <p>12 · 3</p></body></html>"""
    assert visible_texts(html, "fr") == [
        ("text", "Plans · Tracker"),
        ("aria-label", "Principal"),
        ("title", "Change password"),
        ("text", "Plans"),
        ("alt", "Logo"),
        ("value", "Sign out"),
        ("placeholder", "Search"),
        ("text", "Overdue"),
    ]


def test_visible_texts_leaves_out_translate_no_and_other_languages_with_their_content():
    html = """<html lang="fr"><body>
    <p translate="no">Sign <b>out</b> <span>Overdue</span></p>
    <form><button lang="en">English</button> <button lang="fr-CA">Français</button>
    <button lang="ar">العربية</button><input type="submit" lang="en" value="Sign out"></form>
    <div><div translate="no"><div>Overdue</div></div><p>Fin</p></div></body></html>"""
    assert visible_texts(html, "fr") == [("text", "Français"), ("text", "Fin")]


def test_a_page_in_french_with_english_left_is_reported(catalogue):
    html = """<html lang="fr"><head><title>Plans</title></head><body>
    <button>Sign out</button> <span class="badge">Overdue</span>
    <p>Added Réseau Fanette.</p>
    <p>3 people</p>
    <p>Emails go to <strong>a***@exemple.org</strong>, at most one a day
      with everything for that day. <a href="/n/">Voir</a></p>
    <p>12 notifications, 3 non lues ; newest first.</p>
    <p>Recorded: done&nbsp;— thank you</p>
    <input type="submit" value="Sign out"><a title="Organization" href="/o/">ONG</a>
    </body></html>"""
    assert untranslated(html, "fr", catalogue) == [
        Finding("text", "Sign out", "Sign out"),
        Finding("text", "Overdue", "Overdue"),
        Finding("text", "Added Réseau Fanette.", "Added %(name)s."),
        Finding("text", "3 people", "%(n)s person"),
        Finding("text", "Emails go to", EMAILS_GO_TO),
        Finding(
            "text",
            ", at most one a day with everything for that day.",
            EMAILS_GO_TO,
        ),
        Finding("text", "12 notifications, 3 non lues ; newest first.", "newest first."),
        Finding("text", "Recorded: done — thank you", "Recorded: done&nbsp;— thank you"),
        Finding("value", "Sign out", "Sign out"),
        Finding("title", "Organization", "Organization"),
    ]


def test_the_same_page_translated_is_clean(catalogue):
    html = """<html lang="fr"><head><title>Plans</title></head><body>
    <button>Se déconnecter</button> <span class="badge">En retard</span>
    <p>Réseau Fanette ajouté.</p>
    <p>3 personnes</p> <p>1 personne</p>
    <p>Les courriels vont à <strong>a***@exemple.org</strong>, au plus un par jour.</p>
    <p>12 notifications, 3 non lues ; les plus récentes d'abord.</p>
    <p>Enregistré : fait&nbsp;— merci</p> <p>3 en retard</p>
    <p>Utiliser l'API REST</p> <a href="/api/">API REST</a>
    <input type="submit" value="Se déconnecter"><a title="Organisation" href="/o/">ONG</a>
    </body></html>"""
    assert untranslated(html, "fr", catalogue) == []
    assert_translated(html, "fr", catalogue)


def test_words_the_languages_share_and_pieces_without_letters_never_count(catalogue):
    # "Plans" is French too; "%(count)d %(kind)s" has no letters of its own; ", "
    # is the list separator; "Due today" is only fuzzy, "Not translated yet" empty.
    html = """<p>Plans</p><p>3 Plans</p><p>, </p><p>Due today</p><p>Not translated yet</p>"""
    assert untranslated(html, "fr", catalogue) == []


def test_user_data_in_english_is_the_callers_part_of_the_contract(catalogue):
    # A plan some user titled "Overdue" looks like the interface's label...
    assert untranslated("<h1>Overdue</h1>", "fr", catalogue) == [
        Finding("text", "Overdue", "Overdue")
    ]
    # ...unless the test writes its data in French, or the page marks it.
    assert untranslated('<h1 translate="no">Overdue</h1>', "fr", catalogue) == []
    assert untranslated("<h1>Overdue</h1>", "fr", catalogue, ignore=["Overdue"]) == []


def test_an_english_piece_counts_only_between_non_letters():
    catalogue = Catalogue(
        [
            Entry("newest first.", msgstrs=("les plus récentes d'abord.",)),
            Entry("at most one", msgstrs=("au plus un",)),
        ]
    )
    assert untranslated("<p>the brightest firstborn.</p>", "fr", catalogue) == []
    assert untranslated("<p>Xat most one</p>", "fr", catalogue) == []
    assert [f.msgid for f in untranslated("<p>(at most one)</p>", "fr", catalogue)] == [
        "at most one"
    ]


def test_an_english_phrase_the_language_uses_inside_its_own_texts_does_not_count():
    # Arabic keeps the name "REST API" inside its sentence: not an English leftover.
    catalogue = Catalogue(
        [
            Entry("REST API", msgstrs=("واجهة REST API",)),
            Entry("Use the REST API", msgstrs=("استخدم واجهة REST API",)),
        ]
    )
    assert untranslated("<p>استخدم واجهة REST API</p>", "ar", catalogue) == []
    assert untranslated("<p>Use the REST API</p>", "ar", catalogue) == [
        Finding("text", "Use the REST API", "Use the REST API")
    ]


def test_an_english_name_inside_a_translation_with_placeholders_does_not_count():
    catalogue = Catalogue(
        [
            Entry("REST API", msgstrs=("واجهة برمجة",)),
            Entry(
                "Send it to the REST API as %(name)s",
                msgstrs=("أرسله إلى REST API باسم %(name)s",),
                flags=frozenset({"python-format"}),
            ),
        ]
    )
    # Not the whole of a translation, but its name "REST API" is the translators' choice.
    assert untranslated("<p>اليوم: أرسله إلى REST API باسم سامي</p>", "ar", catalogue) == []
    assert untranslated("<p>Send it to the REST API as سامي</p>", "ar", catalogue) == [
        Finding("text", "Send it to the REST API as سامي", "Send it to the REST API as %(name)s")
    ]


def test_assert_translated_names_every_english_text(catalogue):
    with pytest.raises(AssertionError) as failure:
        assert_translated("<b>Sign out</b><i>Overdue</i>", "fr", catalogue, page="/plans/")
    assert str(failure.value).splitlines() == [
        "/plans/ in 'fr' shows English text:",
        "  text: 'Sign out' (msgid 'Sign out')",
        "  text: 'Overdue' (msgid 'Overdue')",
    ]


def test_for_language_reads_django_po_of_each_locale_path(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (first / "fr" / "LC_MESSAGES" / "django.po").write_text(
        'msgid "Sign out"\nmsgstr "Se déconnecter"\n', "utf-8"
    )
    (second / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (second / "fr" / "LC_MESSAGES" / "django.po").write_text(
        'msgid "Overdue"\nmsgstr "En retard"\n', "utf-8"
    )
    catalogue = Catalogue.for_language("fr", [first, second, tmp_path / "none"])
    assert [entry.msgid for entry in catalogue.entries] == ["Sign out", "Overdue"]
    with pytest.raises(FileNotFoundError):
        Catalogue.for_language("ar", [first, second])
