"""``{% identity_provider_configured as configured %}``: whether to offer the provider's login."""

from django import template

from directory import oidc

register = template.Library()


@register.simple_tag
def identity_provider_configured() -> bool:
    return oidc.is_configured()
