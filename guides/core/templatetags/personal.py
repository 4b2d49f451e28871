"""{% personal %}...{% endpersonal %}: a part of a page rendered per request (see
guides/core/personal.py). `{% personal name=value ... %}` takes those values from the
page when a signed-in page's shell is made; inside, only they and the request's own
context (user, perms, csrf_token, messages, request) may be used."""

from __future__ import annotations

from django import template
from django.template import Context
from django.template.base import Parser, Token, token_kwargs

from guides.core import personal

register = template.Library()


class PersonalNode(template.Node):
    def __init__(self, nodelist: template.NodeList, values: dict, key: str) -> None:
        self.nodelist = nodelist
        self.values = values
        self.personal_key = key

    def render(self, context: Context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        hole = personal.block_hole(context, self, values)
        if hole is not None:
            return hole
        with context.push(**values):
            return self.nodelist.render(context)


@register.tag("personal")
def do_personal(parser: Parser, token: Token) -> PersonalNode:
    bits = token.split_contents()[1:]
    values = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError("{% personal %} takes only name=value pairs")
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    # The block is found again by its template, its place there and the template's text.
    origin = parser.origin
    name = getattr(origin, "template_name", None) or getattr(origin, "name", "")
    loader = getattr(origin, "loader", None)
    source = loader.get_contents(origin) if loader is not None else ""
    place = getattr(parser, "personal_blocks", 0)
    parser.personal_blocks = place + 1
    key = personal.block_key(str(name), place, source)
    node = PersonalNode(nodelist, values, key)
    personal.register_block(key, node)
    return node
