"""The web client's field specification of a view arch (standard library only:
``bench_scale.py`` runs it in Odoo's virtualenv, ``locustfile.py`` in locust's)."""

from xml.etree import ElementTree

SUBVIEWS = {"list", "kanban", "form", "field"}


def field_spec(arch, fields):
    """What the web client asks ``web_search_read``/``web_read`` for when it shows
    ``arch``: the <field> nodes outside sub-views; many2one and x2many fields read
    their display_name (tags also their colour)."""
    spec = {}

    def walk(node, top):
        for child in node:
            if child.tag == "field" and top:
                add(child)
            walk(child, top and child.tag not in SUBVIEWS)

    def add(node):
        name = node.get("name")
        if name not in fields or name in spec:
            return
        kind = fields[name]["type"]
        if kind == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif kind in ("one2many", "many2many"):
            sub = {"display_name": {}} if node.get("widget") else {}
            if "color_field" in (node.get("options") or ""):
                sub["color"] = {}
            spec[name] = {"fields": sub}
        else:
            spec[name] = {}

    walk(ElementTree.fromstring(arch), True)
    return spec
