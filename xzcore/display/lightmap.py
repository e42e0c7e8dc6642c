"""The offline light map: Xiuzhou's outline, townships and projects coloured by their lights.

Drawn with map_style "white-bg" and GeoJSON layers only, so it needs no tile server and no
fonts from the internet (labels are Chinese hover texts, never Latin map labels). A tile
layer can be given (an address template of the deployment's own tile server).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from xzcore.display.charts import FONT, LIGHT_COLORS, escape
from xzcore.rules import LIGHT_NAMES

GEO_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"
XIUZHOU = 330411
CREDIT = "边界：Vonng/adcode（CC BY 4.0），仅为示意"


@cache
def district_outlines() -> dict:
    """Jiaxing's districts (GCJ-02), Xiuzhou first; read once per process."""
    with open(GEO_DIR / "jiaxing_districts_gcj02.geojson", encoding="utf-8") as fh:
        data = json.load(fh)
    data["features"].sort(key=lambda f: f["properties"]["adcode"] != XIUZHOU)
    return data


@cache
def township_points() -> dict[str, tuple[float, float]]:
    with open(GEO_DIR / "xiuzhou_townships_gcj02.csv", encoding="utf-8") as fh:
        return {
            r["name"]: (float(r["lon_gcj02"]), float(r["lat_gcj02"])) for r in csv.DictReader(fh)
        }


@cache
def district_bounds() -> tuple[float, float, float, float]:
    """Xiuzhou's outline as west, south, east, north (GCJ-02 degrees)."""
    geometry = district_outlines()["features"][0]["geometry"]
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    points = [p for polygon in polygons for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _frame_trace() -> go.Scattermap:
    # Two invisible points at the outline's corners: the browser fits the view to the trace data
    # (map.fitbounds "locations") at whatever width it has, so a phone sees the whole district
    # as a projector does. A fixed zoom would cut it off on a narrow screen.
    west, south, east, north = district_bounds()
    return go.Scattermap(
        lon=[west, east],
        lat=[south, north],
        mode="markers",
        marker={"size": 1, "opacity": 0},
        hoverinfo="skip",
        showlegend=False,
    )


# About a pixel at the zoom the map opens at (0.0007° there): points closer than this to the
# last one kept are dropped. The outlines go to the browser on every rerun, so this matters:
# 726 KB of figure a run before (every shape twice, fill and line), 199 KB after.
_DETAIL = 0.0008


def _thin(ring: list) -> list:
    kept = [ring[0]]
    for lon, lat in ring[1:-1]:
        if abs(lon - kept[-1][0]) + abs(lat - kept[-1][1]) >= _DETAIL:
            kept.append([lon, lat])
    kept.append(ring[-1])  # a ring ends where it starts
    return [[round(lon, 5), round(lat, 5)] for lon, lat in kept]


@cache
def map_outlines() -> dict:
    """district_outlines() with the points a map at this scale cannot show left out."""
    features = []
    for feature in district_outlines()["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        thinned = [[_thin(ring) for ring in polygon] for polygon in polygons]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": feature["properties"].get("name")},
                "geometry": {"type": "MultiPolygon", "coordinates": thinned},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _layers(tiles: str | None = None) -> list[dict]:
    outlines = map_outlines()
    xiuzhou = {"type": "FeatureCollection", "features": outlines["features"][:1]}
    others = {"type": "FeatureCollection", "features": outlines["features"][1:]}
    # over tiles the fills are light veils, so the tiles stay visible under them
    veil = 0.35 if tiles else 1
    layers = [
        # the neighbours' 1 px borders are the fill's own outline: no second copy of their shapes
        {
            "source": others,
            "type": "fill",
            "color": "#f2f2f2",
            "fill": {"outlinecolor": "#c8c8c8"},
            "opacity": veil,
            "below": "traces",
        },
        {"source": xiuzhou, "type": "fill", "color": "#e8eef7", "opacity": veil, "below": "traces"},
        {"source": xiuzhou, "type": "line", "color": "#2f6db5", "line": {"width": 3}},
    ]
    if tiles:
        layers.insert(0, {"sourcetype": "raster", "source": [tiles], "below": "traces"})
    return layers


# Projects whose point carries its name and reason in the hover: the worst this many. 10,000
# named points made a 5.3 MB map sent on every view (a hover is ~400 bytes: Chinese goes to
# the browser as \uXXXX escapes); the others keep their place, light, size and click.
NAMED_POINTS = 500
# Points drawn at most: the named ones, then the largest plans. Past a few thousand the dots
# cover the district and say nothing one by one; the township circles sum them all. So the map
# stays the same size (~0.5 MB) whatever the district's size.
MAX_POINTS = 3000


def drawn(projects: list[dict]) -> list[dict]:
    """The projects the map draws, of those given worst first: the worst NAMED_POINTS, then the
    largest annual plans up to MAX_POINTS; a project without a place is not drawn."""
    rows = [p for p in projects if p["lon"] == p["lon"] and p["lat"] == p["lat"]]  # drop NaN
    rest = sorted(rows[NAMED_POINTS:], key=lambda p: -(p["plan_wan"] or 0))
    return rows[:NAMED_POINTS] + rest[: MAX_POINTS - NAMED_POINTS]


def _points(rows: list[dict], light: str, largest: float) -> dict:
    """Places as float32 arrays (4 bytes a value, about a metre here), sizes rounded, the
    project id as plain lists (a typed array comes back in a selection as {"0": id})."""
    return {
        "lon": np.array([p["lon"] for p in rows], dtype="float32"),
        "lat": np.array([p["lat"] for p in rows], dtype="float32"),
        "mode": "markers",
        "marker": {
            "size": [round(_size(p["plan_wan"] or 0, largest), 1) for p in rows],
            "color": LIGHT_COLORS[light],
            "opacity": 0.85,
        },
        "customdata": [[int(p["id"])] for p in rows],
    }


def _size(plan_wan: float, largest: float) -> float:
    # area proportional to the plan, within sizes a finger or a projector can see
    return 8 + 26 * (max(plan_wan, 0) / largest) ** 0.5 if largest > 0 else 10


def light_map(
    projects, townships: list[dict], tiles: str | None = None, height: int = 640
) -> go.Figure:
    """projects: rows with name, unit, lon, lat, plan_wan, completion_rate, lag_pp, light, reason.

    townships: summary groups by township (key, light, completion_rate, lag_pp, projects).
    """
    fig = go.Figure(_frame_trace())
    points = township_points()
    placed = [t for t in townships if t["key"] in points]
    fig.add_trace(
        go.Scattermap(
            lon=[points[t["key"]][0] for t in placed],
            lat=[points[t["key"]][1] for t in placed],
            mode="markers",
            marker={
                "size": 44,
                "color": [LIGHT_COLORS[t["light"]] for t in placed],
                "opacity": 0.25,
            },
            text=[
                f"{escape(t['key'])}　{LIGHT_NAMES[t['light']]}<br>项目 {t['projects']} 个，完成率 "
                f"{(t['completion_rate'] or 0) * 100:.1f}%<br>{_lag_words(t['lag_pp'])}"
                for t in placed
            ],
            hoverinfo="text",
            name="镇街道",
        )
    )
    rows = drawn(projects)
    largest = max((p["plan_wan"] or 0 for p in rows), default=0)
    named = {p["id"] for p in rows[:NAMED_POINTS]}
    counts = Counter(p["light"] for p in projects)  # drawn or not: the legend counts them all
    for light in ("green", "yellow", "red"):  # red drawn last, on top
        mine = [p for p in rows if p["light"] == light]
        name = f"{LIGHT_NAMES[light]}（{counts[light]}个）"
        rest = [p for p in mine if p["id"] not in named]
        shown = [p for p in mine if p["id"] in named]
        # one legend entry a light, on the named points or, when none is named, on the rest
        fig.add_trace(
            go.Scattermap(
                **_points(shown, light, largest),
                text=[_project_hover(p) for p in shown],
                hoverinfo="text",
                name=name,
                legendgroup=light,
                showlegend=bool(shown) or not rest,
            )
        )
        if rest:  # their place, light and a click to open; no name sent
            fig.add_trace(
                go.Scattermap(
                    **_points(rest, light, largest),
                    hovertemplate=f"点击查看项目<extra>{LIGHT_NAMES[light]}</extra>",
                    name=name,
                    legendgroup=light,
                    showlegend=not shown,
                )
            )
    fig.add_traces(_names(placed, points))  # the townships' names last, over the points
    fig.update_layout(
        # no center or zoom: the browser fits the view to the data, the outline's corners included
        map={"style": "white-bg", "fitbounds": "locations", "layers": _layers(tiles)},
        height=height,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        font={"family": FONT, "size": 14},
        hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "y": 0.01, "x": 0.01, "bgcolor": "rgba(255,255,255,0.8)"},
    )
    return fig


# Where a township's name sits around its point. The map library leaves out a name that would
# overlap another, and 新城、嘉北、高照 lie within 5 km of each other: their names go to
# different sides. Any other township's name goes above its point.
NAME_SIDES = {
    "嘉北街道": "top center",
    "新城街道": "bottom center",
    "高照街道": "middle left",
    "塘汇街道": "middle right",
}


def _names(placed: list[dict], points: dict) -> list[go.Scattermap]:
    """Each township's name on the map, one trace a side. Chinese only: the map library draws
    CJK characters with the browser's own font, where Latin text would fetch glyphs."""
    sides: dict[str, list[str]] = {}
    for t in placed:
        sides.setdefault(NAME_SIDES.get(t["key"], "top center"), []).append(t["key"])
    return [
        go.Scattermap(
            lon=[points[name][0] for name in names],
            lat=[points[name][1] for name in names],
            # text alone draws nothing on a map without a sprite sheet: an invisible marker
            mode="markers+text",
            marker={"size": 1, "opacity": 0},
            text=[escape(name) for name in names],
            textposition=side,
            textfont={"size": 14, "color": "#1f3f73"},
            hoverinfo="skip",
            showlegend=False,
            name="镇街道名称",
        )
        for side, names in sides.items()
    ]


def _lag_words(lag) -> str:
    if lag is None or lag != lag:
        return "无计划"
    return f"落后时序进度 {lag:.1f} 个百分点" if lag > 0 else f"超前时序进度 {-lag:.1f} 个百分点"


def _project_hover(p: dict) -> str:
    rate = p["completion_rate"]
    rate_text = "—" if rate is None or rate != rate else f"{rate * 100:.1f}%"
    return (
        # names come from uploads: escaped, so a name like <b>x</b> shows as typed
        f"<b>{escape(p['name'])}</b><br>{escape(p['unit'] or '')}"
        f"<br>完成率 {rate_text}，{_lag_words(p['lag_pp'])}"
        f"<br>{LIGHT_NAMES[p['light']]}：{escape(p['reason'])}"
    )
