"""Generate the reference pages of the documentation from the code and the rules.

The pages are produced during every docs build (the mkdocs hook in
``docs/gen/hooks.py`` calls :func:`generated_pages`), so they cannot fall behind the
rules or the record schema. To look at them without building the site::

    python -m crampdx.docgen --out /tmp/generated
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from crampdx.docgen.kb_pages import knowledge_base_pages
from crampdx.docgen.record_page import patient_record_page
from crampdx.kb.load import KnowledgeBase, load_knowledge_base

__all__ = ["generated_pages", "main", "nav_entries"]


def generated_pages(kb: KnowledgeBase | None = None, root: Path | None = None) -> dict[str, str]:
    """Every generated page (path relative to ``docs/`` → Markdown).

    Args:
        kb: the knowledge base to document; the shipped one by default.
        root: the project root, to show rule files by their relative path.
    """
    knowledge_base = kb if kb is not None else load_knowledge_base()
    return {
        "patient-record.md": patient_record_page(),
        **knowledge_base_pages(knowledge_base, root),
    }


def nav_entries(kb: KnowledgeBase) -> list[object]:
    """The navigation of the knowledge-base section: the index, then causes by category."""
    entries: list[object] = [{"Overview": "knowledge-base/index.md"}]
    for category in sorted({c.category for c in kb.causes.values()}):
        causes = sorted(
            (c for c in kb.causes.values() if c.category == category), key=lambda c: c.name
        )
        entries.append(
            {
                category.replace("_", " ").capitalize(): [
                    {c.name: f"knowledge-base/{c.category}/{c.id}.md"} for c in causes
                ]
            }
        )
    return entries


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated pages under ``--out`` (for review outside a docs build)."""
    parser = argparse.ArgumentParser(prog="python -m crampdx.docgen", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder to write pages into")
    args = parser.parse_args(argv)
    for relative, text in generated_pages(root=Path.cwd()).items():
        target: Path = args.out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
