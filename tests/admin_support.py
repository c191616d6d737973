"""What admin tests share: addresses, the POST a browser would send back from a change form, actions."""

from django.urls import reverse


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_form_data(response) -> dict:
    """The POST a browser would send back from a rendered change form, inline formsets included."""
    data: dict = {}

    def add_form(form) -> None:
        for bound_field in form:
            value = bound_field.value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound_field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound_field.html_name] = [str(item) for item in value]
            else:
                data[bound_field.html_name] = value

    add_form(response.context["adminform"].form)
    for inline_admin_formset in response.context["inline_admin_formsets"]:
        formset = inline_admin_formset.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data


def form_errors(response) -> list:
    """Errors of a change form answered with 200 instead of a redirect (for assertion messages)."""
    if response.context is None or "adminform" not in response.context:
        return []
    errors = [response.context["adminform"].form.errors]
    errors += [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    errors += [inline.formset.non_form_errors() for inline in response.context["inline_admin_formsets"]]
    return errors


def run_action(client, model, action: str, records) -> list[str]:
    response = client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [record.pk for record in records]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]
