"""Draws the core's layers as a plain SVG (``docs/architecture.svg``): one band per layer, lowest at
the bottom, a box per module, and its imports as lines from the importer down to what it imports.
Marked upward imports (``App.run``, ``with app:``) are the red dashed lines. Called by
``tools/layers.py --write`` with plain data (it imports nothing of the checks); the output depends
only on the imports and ``core/layers.json``, so a test can compare it with the file in the
repository (no line counts: an edit inside a module leaves it as it is).
"""

from __future__ import annotations

from html import escape

BOX_WIDTH, BOX_HEIGHT, GAP = 118, 30, 12
LABEL_WIDTH, BAND_HEIGHT, MARGIN = 230, 74, 16
COLOURS = ["#e8f1fb", "#e6f4ea", "#fdf3e1", "#f3e8fb", "#fde8e8", "#e3f6f6", "#f1f1e4", "#ececec", "#ffffff"]


def _positions(layers: list[dict[str, object]], widest: int) -> dict[str, tuple[float, float]]:
    """The top-left corner of every module's box, each band centred: the top band is the last layer."""
    places: dict[str, tuple[float, float]] = {}
    for row, layer in enumerate(reversed(layers)):
        top = MARGIN + row * BAND_HEIGHT + (BAND_HEIGHT - BOX_HEIGHT) / 2
        units: list[str] = layer["modules"]  # type: ignore[assignment]
        left = LABEL_WIDTH + (widest - len(units)) * (BOX_WIDTH + GAP) / 2
        for column, unit in enumerate(units):
            places[unit] = (left + column * (BOX_WIDTH + GAP), top)
    return places


def _edge_path(start: tuple[float, float], end: tuple[float, float], upward: bool) -> str:
    """One import as a line: from the importer's bottom to the imported's top (the reverse when upward)."""
    x1, y1 = start[0] + BOX_WIDTH / 2, start[1] + (0 if upward else BOX_HEIGHT)
    x2, y2 = end[0] + BOX_WIDTH / 2, end[1] + (BOX_HEIGHT if upward else 0)
    if abs(y1 - y2) < 1:  # the same layer: a small arc below the band's boxes
        y1 = y2 = y1 + BOX_HEIGHT
        return f"M{x1:.0f},{y1:.0f} Q{(x1 + x2) / 2:.0f},{y1 + 18:.0f} {x2:.0f},{y2:.0f}"
    middle = (y1 + y2) / 2
    return f"M{x1:.0f},{y1:.0f} C{x1:.0f},{middle:.0f} {x2:.0f},{middle:.0f} {x2:.0f},{y2:.0f}"


def _edges(pairs: list[tuple[str, str]], upward_pairs: list[tuple[str, str]],
           places: dict[str, tuple[float, float]]) -> list[str]:
    out = []
    for source, target, upward in [(*pair, False) for pair in pairs] + [(*pair, True) for pair in upward_pairs]:
        if source not in places or target not in places:
            continue
        style = 'stroke="#c62828" stroke-dasharray="6 4" stroke-width="1.6"' if upward else \
            'stroke="#3d5166" stroke-opacity="0.55" stroke-width="1.2"'
        title = f"{source} imports {target}" + (" (upward, marked)" if upward else "")
        out.append(f'<path d="{_edge_path(places[source], places[target], upward)}" fill="none" {style}>'
                   f"<title>{escape(title)}</title></path>")
    return out


def _bands(layers: list[dict[str, object]], width: float) -> list[str]:
    out = []
    for row, layer in enumerate(reversed(layers)):
        top, number = MARGIN + row * BAND_HEIGHT, len(layers) - 1 - row
        label = str(layer["name"]) if layer["name"] == "beside" else f"L{number} {layer['name']}"
        out.append(f'<rect x="{MARGIN}" y="{top}" width="{width - 2 * MARGIN}" height="{BAND_HEIGHT - 4}" rx="6" '
                   f'fill="{COLOURS[number % len(COLOURS)]}" stroke="#c9d1da"/>')
        out.append(f'<text x="{MARGIN + 10}" y="{top + 30}" font-size="15" font-weight="bold">{escape(label)}</text>')
        for number_of_line, line in enumerate(_wrap(str(layer["summary"]))):
            out.append(f'<text x="{MARGIN + 10}" y="{top + 46 + 12 * number_of_line}" font-size="10" fill="#555">'
                       f"{escape(line)}</text>")
    return out


def _wrap(text: str, width: int = 36, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``width`` characters (the last one cut with '…')."""
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    return out[:lines - 1] + [out[lines - 1] + (" …" if len(out) > lines else "")] if len(out) >= lines else out


def _boxes(places: dict[str, tuple[float, float]]) -> list[str]:
    out = []
    for unit, (x, y) in places.items():
        name = unit + ("/" if unit == "templates" or unit == "testing" else "")
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="4" fill="#fff" '
                   f'stroke="#34495e"/>')
        out.append(f'<text x="{x + BOX_WIDTH / 2:.0f}" y="{y + 19:.0f}" font-size="12" text-anchor="middle">'
                   f"{escape(name)}</text>")
    return out


def render_svg(pairs: list[tuple[str, str]], upward_pairs: list[tuple[str, str]], layers: list[dict[str, object]]) -> str:
    """The whole picture as SVG text: ``pairs`` are the imports to draw (importer, imported),
    ``upward_pairs`` the marked upward ones, ``layers`` those of ``core/layers.json``."""
    widest = max(len(layer["modules"]) for layer in layers)  # type: ignore[arg-type]
    places = _positions(layers, widest)
    width = LABEL_WIDTH + widest * (BOX_WIDTH + GAP) + MARGIN
    height = 2 * MARGIN + len(layers) * BAND_HEIGHT + 24
    legend = (f'<text x="{MARGIN}" y="{height - 14}" font-size="11" fill="#333">A line runs from a module down to '
              "one it imports (imports that a path through other modules already implies are left out). Red dashed: "
              "the marked upward imports, App.run and with app:. Drawn by tools/layers.py --write.</text>")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'font-family="Helvetica, Arial, DejaVu Sans, sans-serif">',
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             *_bands(layers, width), *_edges(pairs, upward_pairs, places), *_boxes(places), legend, "</svg>"]
    return "\n".join(parts) + "\n"
