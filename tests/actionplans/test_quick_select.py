"""QuickSelect must write what Django's Select writes (the same HTML, less whitespace)."""

import pytest
from django import forms
from pytest_django.asserts import assertHTMLEqual

from actionplans.filtersets import QuickSelect

CHOICES = [
    ("", "---------"),
    (1, "Jad"),
    (2, 'Rana "R" <UNHCR> & co'),
    (3, "Fanette"),
]


@pytest.mark.parametrize("value", [None, "", 2, "3", 99])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_focal_point", "class": "wide", "required": True}]
)
def test_quick_select_writes_what_django_writes(value, attrs):
    expected = forms.Select(choices=CHOICES).render("focal_point", value, attrs=attrs)

    assertHTMLEqual(
        QuickSelect(choices=CHOICES).render("focal_point", value, attrs=attrs), expected
    )


def test_quick_select_writes_option_groups_like_django():
    grouped = [("People", [(1, "Jad"), (2, "Rana")]), ("Other", [(3, "Fred")]), (4, "Lone")]

    expected = forms.Select(choices=grouped).render("p", 3)

    assertHTMLEqual(QuickSelect(choices=grouped).render("p", 3), expected)
    assert '<optgroup label="People">' in expected
