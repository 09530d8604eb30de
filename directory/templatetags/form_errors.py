"""``{% error_summary form other_form %}``: the error summary at the top of a form page.

One box (``role="alert"``) naming every problem of the given forms, each linked to its field
so a keyboard or screen-reader user reaches it in one step (the GOV.UK error summary).
"""

from django import template

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms) -> dict:
    problems = []
    for form in forms:
        if form is None or not form.is_bound or not form.errors:
            continue
        problems.extend({"message": message, "anchor": ""} for message in form.non_field_errors())
        for field in form:
            anchor = field.id_for_label or field.auto_id
            problems.extend({"message": message, "anchor": anchor} for message in field.errors)
    return {"problems": problems}
