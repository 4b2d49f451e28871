from django import template
from django.template import Context
from django.utils.safestring import SafeString

from guides.core.panels import render_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: Context, slot: str, obj: object | None = None) -> SafeString:
    """{% panels "guide:after" guide %}: what other apps add to this place on the page."""
    return render_slot(slot, context, obj)
