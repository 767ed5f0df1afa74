"""The Django admin's change form as a test posts it: what it would send back unchanged."""


def admin_change_form_data(response) -> dict:
    """What the admin change form would post back unchanged: the main form and every inline."""
    data = {}
    for form in [
        response.context["adminform"].form,
        *(f for inline in response.context["inline_admin_formsets"] for f in inline.formset.forms),
    ]:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            widget = bound.field.widget
            if hasattr(widget, "widgets"):  # the admin's split date and time
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{bound.html_name}_{index}"] = part.isoformat() if part is not None else ""
                continue
            data[bound.html_name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for bound in management:
            data[bound.html_name] = bound.value()
    return data
