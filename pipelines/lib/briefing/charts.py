"""Vega-Lite specs (Altair) for the brief's charts, the dashboard's way (its config, fonts and
sizing), with the rows inlined: a brief is one file that opens offline. Every axis title names
its unit; a missing value is a gap, never zero."""

import re
from datetime import date

import altair as alt

from pipelines.lib.dashboard.charts import CONFIG, GRID

CHINA = "#cb181d"
OTHER = "#6b7f99"
SCENARIOS = ["as_announced", "delayed_2y", "committed_only"]
SCENARIO_COLOURS = ["#2166ac", "#92c5de", "#1b7837"]
LABELS = alt.ExprRef("containerSize()[0] < 500 ? 120 : 260")  # row labels: room on a wide page
EVENT_LABELS = alt.ExprRef("containerSize()[0] < 500 ? 175 : 320")  # "every partner, 12 months"
PRODUCT_LABELS = alt.ExprRef("containerSize()[0] < 500 ? 190 : 360")  # "ndpr oxide, 99%"
LEGEND_LABELS = alt.ExprRef("containerSize()[0] < 500 ? 280 : 400")  # a legend has the width
NARROW_TICKS = alt.ExprRef("containerSize()[0] < 500 ? 3 : 5")  # 0-100% fits a phone


def _plain(rows: list[dict], fields: list[str]) -> list[dict]:
    """The fields a chart reads, JSON-ready (dates as ISO strings)."""
    return [
        {f: (r[f].isoformat() if isinstance(r[f], date) else r[f]) for f in fields} for r in rows
    ]


def spec(chart) -> dict:
    out = chart.to_dict(validate=False)
    out["config"] = {**out.get("config", {}), **CONFIG}
    out["autosize"] = {"type": "fit-x", "contains": "padding"}
    return out


def share_bars(rows: list[dict], label: str, share: str, title: str) -> dict:
    """One bar per row (largest first), China in red, the share written at the bar's end."""
    data = _plain(
        rows, [label, share, "rank"] + [k for k in ("iso3", "supplier_iso3") if k in rows[0]]
    )
    iso = "iso3" if "iso3" in rows[0] else "supplier_iso3"
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y(
            f"{label}:N",
            sort=[r[label] for r in sorted(rows, key=lambda r: r["rank"])],  # largest first
            title=None,
            axis=alt.Axis(labelLimit=LABELS),
        ),
        x=alt.X(
            f"{share}:Q",
            title=f"{title} (%)",
            axis=alt.Axis(format=".0%", grid=True, gridColor=GRID, tickCount=NARROW_TICKS),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=[
            alt.Tooltip(f"{label}:N", title="Country"),
            alt.Tooltip(f"{share}:Q", title=title, format=".1%"),
        ],
    )
    bars = base.mark_bar(height={"band": 0.75}).encode(
        color=alt.condition(getattr(alt.datum, iso) == "CHN", alt.value(CHINA), alt.value(OTHER))
    )
    # the share written at the bar's end, inside a long bar (outside it would be clipped)
    shown = base.transform_calculate(
        shown=f"datum.{share} < 0.0005 ? '<0.1%' : format(datum.{share}, '.1%')"
    )
    outside = (
        shown.transform_filter(f"datum.{share} < 0.8")
        .mark_text(align="left", dx=3, fontSize=12, color="#1f2933")
        .encode(text="shown:N")
    )
    inside = (
        shown.transform_filter(f"datum.{share} >= 0.8")
        .mark_text(align="right", dx=-4, fontSize=12, color="#ffffff", fontWeight="bold")
        .encode(text="shown:N")
    )
    chart = alt.layer(bars, outside, inside)
    return spec(chart.properties(width="container", height=26 * len(rows)))


def event_bars(study: list[dict]) -> dict:
    """The change of each complete window, one bar each (falls in red). A label starts with
    what tells bars apart (destination, window), so a cut label still says it; the measure and
    code follow only when the chart has several (the title names a single one)."""
    several = len({(r["measure_id"], r["hs6"]) for r in study}) > 1
    data = [
        {
            "row": f"{'every partner' if r['destination'] == 'ALL' else r['destination']}, "
            f"{r['window_months']} months"
            + (
                f": {r['measure_id']} HS {r['hs6']}{' (basket)' if r['is_shared_code'] else ''}"
                if several
                else ""
            ),
            "change": r["value_change"],
            "order": i,
        }
        for i, r in enumerate(study)
        if r["value_change"] is not None
    ]
    return _signed_bars(
        data,
        y_title="China's exports to",
        x_title="Value after vs before (%)",
        labels=EVENT_LABELS,
        ticks=5,
        row_px=24,
        tooltip=[alt.Tooltip("row:N", title="Window")],
    )


def partner_lines(rows: list[dict]) -> dict:
    """The importer's monthly imports of one line from China and from every origin (USD)."""
    data = []
    for r in rows:
        for key, who in (("from_china_usd", "from China"), ("from_all_usd", "from every origin")):
            data.append({"month": r["period"].isoformat(), "who": who, "usd": r[key]})
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", tickCount=6)),
        y=alt.Y("usd:Q", title="Imports (USD)", axis=alt.Axis(format="$,.2s")),
        color=alt.Color(
            "who:N",
            title=None,
            scale=alt.Scale(domain=["from China", "from every origin"], range=[CHINA, OTHER]),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            alt.Tooltip("month:T", title="Month", format="%Y-%m"),
            alt.Tooltip("who:N", title="Origin"),
            alt.Tooltip("usd:Q", title="Imports (USD)", format="$,.0f"),
        ],
    )
    chart = alt.layer(base.mark_line(strokeWidth=2), base.mark_point(filled=True, size=50))
    return spec(chart.properties(width="container", height=200))


def press_lines(rows: list[dict]) -> dict:
    """Press-reported monthly figures, one line per destination, in the series' own unit."""
    unit = rows[0]["unit"]
    first, last = min(r["month"] for r in rows), max(r["month"] for r in rows)
    months = [date(y, m, 1) for y in range(first.year, last.year + 1) for m in range(1, 13)]
    data = []
    for partner in dict.fromkeys(r["partner_iso3"] for r in rows):
        have = {r["month"]: r for r in rows if r["partner_iso3"] == partner}
        for m in (m for m in months if first <= m <= last):
            r = have.get(m)  # a month without a reported figure is a null: a gap in the line
            data.append(
                {
                    "month": m.isoformat(),
                    "to": "the world" if partner == "WLD" else partner,
                    "quantity": r["quantity"] if r else None,
                    "outlet": r["outlet"] if r else None,
                }
            )
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", tickCount=6)),
        y=alt.Y("quantity:Q", title=f"{unit} a month", axis=alt.Axis(format=",.0f")),
        color=alt.Color("to:N", title="To", legend=alt.Legend(orient="top")),
        tooltip=[
            alt.Tooltip("month:T", title="Month", format="%Y-%m"),
            alt.Tooltip("to:N", title="To"),
            alt.Tooltip("quantity:Q", title=f"Exports ({unit})", format=",.0f"),
            alt.Tooltip("outlet:N", title="Press-reported by"),
        ],
    )
    points = base.transform_filter("isValid(datum.quantity)").mark_point(filled=True, size=50)
    chart = alt.layer(base.mark_line(strokeWidth=2), points)
    return spec(chart.properties(width="container", height=200))


def capacity_lines(rows: list[dict], unit: str) -> dict:
    data = _plain(rows, ["year", "scenario", "capacity", "n_projects"])
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("capacity:Q", title=f"{unit} a year", axis=alt.Axis(format=",.0f")),
        color=alt.Color(
            "scenario:N",
            title=None,
            scale=alt.Scale(domain=SCENARIOS, range=SCENARIO_COLOURS),
            # two columns: three names in a row run off a phone's chart
            legend=alt.Legend(orient="top", columns=2, labelExpr="replace(datum.label, /_/g, ' ')"),
        ),
        # scenarios that agree draw one over the other: dashes let the line beneath show
        strokeDash=alt.StrokeDash(
            "scenario:N",
            title=None,
            scale=alt.Scale(domain=SCENARIOS, range=[[1, 0], [6, 3], [2, 3]]),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("scenario:N", title="Scenario"),
            alt.Tooltip("capacity:Q", title=f"Capacity ({unit})", format=",.0f"),
            alt.Tooltip("n_projects:Q", title="Projects"),
        ],
    )
    chart = alt.layer(base.mark_line(strokeWidth=2), base.mark_point(filled=True, size=45))
    return spec(chart.properties(width="container", height=190))


def price_lines(rows: list[dict]) -> dict:
    keys = {(r["product"], r["price_basis"]) for r in rows}
    named = {short_product(p) for p, _ in keys}
    data = [
        {
            "year": r["year"],
            # the basis said where two series of a product would share a name
            "line": short_product(r["product"])
            + ("" if len(named) == len(keys) else f" ({r['price_basis'].replace('_', ' ')})"),
            "product": f"{r['product']} ({r['price_basis'].replace('_', ' ')}, {r['unit_basis']})",
            "usd_per_kg": r["price_usd_per_kg"],
        }
        for r in rows
        if r["price_usd_per_kg"] and r["price_usd_per_kg"] > 0
    ]
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(
            "usd_per_kg:Q",
            title="US dollars per kg",
            scale=alt.Scale(type="log"),
            axis=alt.Axis(format="$,.3~r"),  # $0.4, $1,340 (SI's "$400m" reads as millions)
        ),
        color=alt.Color(
            "line:N",
            title=None,
            legend=alt.Legend(orient="bottom", columns=1, labelLimit=LEGEND_LABELS),
        ),
        tooltip=[
            alt.Tooltip("product:N", title="Product"),
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("usd_per_kg:Q", title="USD per kg", format="$,.2f"),
        ],
    )
    chart = alt.layer(base.mark_line(strokeWidth=2), base.mark_point(filled=True, size=40))
    return spec(chart.properties(width="container", height=220))


def short_product(product: str) -> str:
    """A product short enough for a phone's axis or legend, its purity or form kept:
    "dysprosium oxide, 99.5%", "ndpr oxide, 99%", "gallium metal, unwrought", "natural graphite,
    flake" (the full name is in the tooltip and the table)."""
    text = re.sub(r"[\w-]+ \(([a-z]+)\)", r"\1", product)  # "neodymium-praseodymium (ndpr)"
    text = re.sub(r",? minimum|\s*\([^)]*\)", "", text)
    return ", ".join(text.split(", ")[:2])


def change_bars(rows: list[dict]) -> dict:
    """Each price series' change over its latest year, one bar each (falls in red), the
    product first in its label so a narrow page still says which."""
    data = [
        {
            "row": short_product(r["product"]),
            "product": r["product"],
            "basis": r["price_basis"].replace("_", " ")
            + (", estimated" if r["is_estimate"] else ""),
            "change": r["change"],
            "order": i,
        }
        for i, r in enumerate(rows)
    ]
    return _signed_bars(
        data,
        y_title=None,
        x_title="Change (%)",
        labels=PRODUCT_LABELS,
        ticks=NARROW_TICKS,
        row_px=22,
        tooltip=[alt.Tooltip("product:N", title="Product"), alt.Tooltip("basis:N", title="Basis")],
    )


def _signed_bars(data: list[dict], *, y_title, x_title, labels, ticks, row_px, tooltip) -> dict:
    """One bar per `row` for its `change` (a fraction), in the rows' `order`: falls in red."""
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(height={"band": 0.75})
        .encode(
            y=alt.Y(
                "row:N",
                sort=alt.EncodingSortField("order"),
                title=y_title,
                axis=alt.Axis(labelLimit=labels),
            ),
            x=alt.X(
                "change:Q",
                title=x_title,
                axis=alt.Axis(format="+.0%", grid=True, gridColor=GRID, tickCount=ticks),
            ),
            color=alt.condition(alt.datum.change < 0, alt.value(CHINA), alt.value(OTHER)),
            tooltip=[*tooltip, alt.Tooltip("change:Q", title="Change", format="+.1%")],
        )
        .properties(width="container", height=row_px * max(len(data), 1))
    )
    return spec(chart)
