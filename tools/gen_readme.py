"""Build an addon's README.rst from its readme/*.md fragments (OCA layout).

    python tools/gen_readme.py            rewrite addons/*/README.rst
    python tools/gen_readme.py --check    exit 1 when a README.rst is not what this
                                          script makes (./rs lint runs this)
    python tools/gen_readme.py ADDON_DIR  only that addon

Layout (as OCA's oca-gen-addon-readme, without the GitHub/runboat badges and the
maintainer block it takes from OCA's repositories): the manifest's name as title, the
license badge, DESCRIPTION as introduction, a table of contents, then one section per
fragment present — CONTEXT "Use Cases / Context", INSTALL "Installation", CONFIGURE
"Configuration", USAGE "Usage", DEVELOP "Development", ROADMAP "Known issues / Roadmap",
HISTORY "Changelog" — and "Credits": the manifest's authors, CONTRIBUTORS, CREDITS.

Markdown (GitHub-flavoured) is converted to reStructuredText by pandoc, the one that
pypandoc-binary ships (pinned in requirements-dev.txt, so every machine writes the same
bytes). A fragment's headings become subsections of its section (its top heading level
is "-", the next "~"); a paragraph holding one image becomes a figure (alt text, no
caption); links and images to "../…" (relative to readme/, as GitHub shows the
fragments) are made relative to the addon, where README.rst is. The result must render
without a docutils warning, and its images must exist.
"""

import argparse
import ast
import io
import json
import os
import posixpath
import sys
from pathlib import Path

import pypandoc
from docutils.core import publish_doctree
from docutils.utils import SystemMessage

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS_DIR = "readme"
# (fragment, section title) in OCA's order; DESCRIPTION is the introduction
SECTIONS = [
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
]
CREDITS_SECTIONS = [("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")]
LICENSE_BADGES = {
    "AGPL-3": ("AGPL--3", "http://www.gnu.org/licenses/agpl-3.0-standalone.html"),
    "LGPL-3": ("LGPL--3", "http://www.gnu.org/licenses/lgpl-3.0-standalone.html"),
    "GPL-3": ("GPL--3", "http://www.gnu.org/licenses/gpl-3.0-standalone.html"),
    "OPL-1": (
        "OPL--1",
        "https://www.odoo.com/documentation/master/legal/licenses.html",
    ),
}
# gfm as GitHub renders the fragments, plus figures for lone images; no TeX math ("$"
# is plain text on the desk's pages), no heading ids (README.rst has no links to them)
MD_FORMAT = "gfm+implicit_figures-tex_math_dollars-tex_math_gfm-gfm_auto_identifiers"
# pandoc's reStructuredText adornments by level; level 1 is the README's sections
SECTION_LEVEL = 1
STALE = "README.rst is stale: run ./rs readme"
COMMENT = """..
   This README follows the OCA template; its sections come from readme/*.md.
   Do not edit it: change readme/*.md and run ./rs readme (tools/gen_readme.py)."""


def use_bundled_pandoc():
    """pypandoc picks the newest pandoc it finds: a system one writes other bytes."""
    bundled = Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    if not bundled.is_file():
        sys.exit(f"no pandoc in {bundled.parent}: pip install -r requirements-dev.txt")
    os.environ["PYPANDOC_PANDOC"] = str(bundled)


def walk(node, visit):
    """Call visit on every pandoc AST element (a dict with "t") below node."""
    if isinstance(node, list):
        for item in node:
            walk(item, visit)
    elif isinstance(node, dict):
        if "t" in node:
            visit(node)
        walk(node.get("c"), visit)


def rebase_target(target):
    """Path seen from readme/ ("../static/x.png") → from the addon ("static/x.png")."""
    if "://" in target or target.startswith(("#", "/", "mailto:")):
        return target
    rebased = posixpath.normpath(posixpath.join(FRAGMENTS_DIR, target))
    if rebased.startswith("../"):
        return target  # outside the addon: leave it as written
    return rebased


def md_to_rst(text, images):
    """The fragment in reStructuredText; appends its image paths to images."""
    doc = json.loads(pypandoc.convert_text(text, "json", format=MD_FORMAT))
    levels = []

    def visit(el):
        if el["t"] == "Header":
            levels.append(el["c"][0])
        elif el["t"] == "Figure":
            # the image's alt text only, as GitHub shows the fragment: no caption
            el["c"][1] = [None, []]
        elif el["t"] in ("Image", "Link"):
            target = el["c"][2]  # [attr, inlines, [url, title]]
            target[0] = rebase_target(target[0])
            if el["t"] == "Image":
                images.append(target[0])

    walk(doc["blocks"], visit)
    # the fragment's top heading is a subsection of the README's section
    shift = SECTION_LEVEL + 1 - min(levels) if levels else 0

    def shift_header(el):
        if el["t"] == "Header":
            el["c"][0] += shift

    walk(doc["blocks"], shift_header)
    rst = pypandoc.convert_text(
        json.dumps(doc),
        "rst",
        format="json",
        extra_args=["--wrap=preserve", "--columns=90"],
    )
    return rst.strip("\n")


def heading(title, char):
    return f"{title}\n{char * len(title)}"


def read_manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def build(addon):
    """(README.rst text, problems found in it)"""
    manifest = read_manifest(addon)
    fragments = addon / FRAGMENTS_DIR
    images = []

    def fragment(name):
        path = fragments / f"{name}.md"
        if not path.is_file():
            return None
        return md_to_rst(path.read_text(encoding="utf-8"), images) or None

    title = manifest["name"]
    parts = [
        "=" * len(title) + "\n" + heading(title, "="),
        COMMENT,
    ]
    license_ = manifest.get("license", "LGPL-3")
    if license_ in LICENSE_BADGES:
        label, url = LICENSE_BADGES[license_]
        parts += [
            "|badge1|",
            f".. |badge1| image:: https://img.shields.io/badge/license-{label}-blue.png\n"
            f"    :target: {url}\n"
            f"    :alt: License: {license_}",
        ]
    description = fragment("DESCRIPTION")
    if description:
        parts.append(description)
    parts.append("**Table of contents**\n\n.. contents::\n   :local:")
    for name, section in SECTIONS:
        body = fragment(name)
        if body:
            parts += [heading(section, "="), body]
    parts.append(heading("Credits", "="))
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        parts += [heading("Authors", "-"), "\n".join(f"* {a}" for a in authors)]
    for name, section in CREDITS_SECTIONS:
        body = fragment(name)
        if body:
            parts += [heading(section, "-"), body]
    text = "\n\n".join(parts) + "\n"
    problems = [
        f"image {image} not found (paths in readme/*.md are relative to readme/)"
        for image in images
        if "://" not in image and not (addon / image).is_file()
    ]
    return text, problems + render_problems(text)


def render_problems(text):
    """docutils' warnings and errors on the README (GitHub and PyPI render it so)."""
    stream = io.StringIO()
    try:
        publish_doctree(
            text,
            source_path="README.rst",
            settings_overrides={
                "report_level": 2,
                "halt_level": 5,
                "warning_stream": stream,
                "_disable_config": True,
            },
        )
    except SystemMessage as exc:
        stream.write(f"{exc}\n")
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "addons", nargs="*", type=Path, help="addon folders (default: addons/*)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a README is stale",
    )
    args = parser.parse_args(argv)
    found = (ROOT / "addons").glob(f"*/{FRAGMENTS_DIR}/DESCRIPTION.md")
    addons = args.addons or sorted(path.parent.parent for path in found)
    use_bundled_pandoc()
    failed = False
    for addon in addons:
        readme = addon / "README.rst"
        text, problems = build(addon)
        for problem in problems:
            sys.stderr.write(f"{readme}: {problem}\n")
            failed = True
        current = readme.read_text(encoding="utf-8") if readme.is_file() else None
        if text == current:
            continue
        if args.check:
            sys.stderr.write(f"{readme}: {STALE}\n")
            failed = True
        else:
            readme.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {readme}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
