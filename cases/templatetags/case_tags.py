from django import template

register = template.Library()

STATE_STYLE = {
    "draft": "",
    "initiated": "info",
    "determined": "info",
    "decided": "warn",
    "delivered": "warn",
    "responded": "warn",
    "appealed": "danger",
    "closed": "ok",
    "dismissed": "ok",
    "withdrawn": "",
}


@register.filter
def state_style(state: str) -> str:
    return STATE_STYLE.get(state, "")
