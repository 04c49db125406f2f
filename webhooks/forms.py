"""The forms of the webhook pages: they read the input; webhooks.services checks it
(target address, events, plan) and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from actionplans.models import ActionPlan
from webhooks.choices import Event


class WebhookForm(forms.Form):
    """A new webhook: the plan is chosen here and fixed from then on."""

    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=ActionPlan.objects.none(),
        required=False,
        empty_label=_("All plans I may see"),
    )
    target_url = forms.CharField(
        label=_("Target URL"),
        max_length=500,
        help_text=_("Where the events are posted, e.g. https://example.org/pim-hook"),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = ActionPlan.objects.visible_to(user).order_by("title", "id")


class WebhookEditForm(WebhookForm):
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["plan"]
