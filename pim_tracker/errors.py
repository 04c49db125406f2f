"""The services' errors (Django's ValidationError), converted once for each door:
a form, an API answer, a message or a command's output."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm

NON_FIELD_KEY = "non_field_errors"  # DRF's name for errors of no field


def by_field(error: ValidationError) -> dict[str, list[str]]:
    """{field: messages}; messages of no field under NON_FIELD_ERRORS ("__all__")."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def add_to_form(form: BaseForm, error: ValidationError) -> None:
    """Put the error on the form, next to the field it names when the form has it."""
    for field, messages in by_field(error).items():
        form.add_error(field if field in form.fields else None, messages)


def as_api_detail(error: ValidationError) -> dict[str, list[str]]:
    """The body of a 400 answer: {"field": [...], "non_field_errors": [...]}."""
    return {
        (NON_FIELD_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in by_field(error).items()
    }


def as_lines(error: ValidationError, *, with_fields: bool = True) -> list[str]:
    """One line per message, "field: message" where a field is named (for commands,
    flash messages and previews)."""
    return [
        f"{field}: {message}" if with_fields and field != NON_FIELD_ERRORS else message
        for field, messages in by_field(error).items()
        for message in messages
    ]
