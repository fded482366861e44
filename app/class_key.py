"""One colour per class for the figures that draw a line or a cluster of points per class (the
sweep, the map), and their key as rich text."""

from __future__ import annotations

from collections.abc import Sequence

# Ten hues told apart at a glance (Tableau's ten), one per class.
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip


def class_entries(classes: Sequence[str], mark: str) -> list[tuple[str | None, str, str]]:
    """Each class's (colour, mark, name), for colour_key."""
    return [(CLASS_COLOURS[k % len(CLASS_COLOURS)], mark, name) for k, name in enumerate(classes)]


def colour_key(entries: Sequence[tuple[str | None, str, str]]) -> str:
    """(colour, mark, name) entries as rich text that wraps between entries, never within one ("your
    input" broke after "your"); a colour of None keeps the text's own."""
    marked = []
    for colour, mark, name in entries:
        style = f' style="color:{colour}"' if colour else ""
        marked.append(f"<b{style}>{mark}</b>&nbsp;{name.replace(' ', '&nbsp;')}")
    return " &nbsp; ".join(marked)
