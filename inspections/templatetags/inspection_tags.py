from django import template
from django.utils.translation import gettext_lazy as _

from ..models import Colour

register = template.Library()

COLOUR_LABELS = {"": _("No warning"), **dict(Colour.choices)}


@register.filter
def colour_label(colour: str) -> str:
    return str(COLOUR_LABELS.get(colour, colour))


@register.inclusion_tag("inspections/_colour.html")
def colour_badge(item: object) -> dict[str, object]:
    colour = getattr(item, "colour", "")
    return {"colour": colour, "label": colour_label(colour), "status": getattr(item, "status", "")}
