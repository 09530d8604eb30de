"""``{% calendar_years_to_announce as years %}``: for pages outside the workspace's views
(the administration's index) that must warn while a year with open deadlines is unannounced."""

from django import template

from workflows import selectors

register = template.Library()


@register.simple_tag
def calendar_years_to_announce() -> list[int]:
    return selectors.calendar_years_to_announce()
