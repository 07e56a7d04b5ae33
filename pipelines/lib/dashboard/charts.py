"""Vega-Lite specs (built with Altair) for the dashboard's charts.

Every chart reads a named dataset (`alt.NamedData`), filled in by dashboard.js from the page's
data, and declares the pickers it follows as params (`commodity`, `importer`): dashboard.js sets
those signals when a picker changes. Sizes use the container's width so a chart fits a phone.
"""

import altair as alt

# China's share at 0, 25, 50, 75 and 100%: white at 0, then ColorBrewer's reds
HEAT = ["#ffffff", "#fcbba1", "#fb6a4a", "#cb181d", "#67000d"]
GRID = "#d9dee3"
STAGE_COLOURS = {"mining": "#8c510a", "refining": "#2166ac", "manufacturing": "#7b3294"}
STAGE_LEGEND = {"orient": "top", "direction": "horizontal", "title": None}
STAGE = alt.Color(
    "stage:N",
    title="Stage",
    scale=alt.Scale(domain=list(STAGE_COLOURS), range=list(STAGE_COLOURS.values())),
    legend=alt.Legend(**STAGE_LEGEND),
)
# long row labels get more room on a wide screen than on a phone
WIDE_LABELS = alt.ExprRef("containerSize()[0] < 500 ? 170 : 300")
PCT = alt.Axis(format=".0%", title=None, labelFontSize=12, grid=True)
# Years on a quantitative axis (so a missing year leaves a gap); a short span would otherwise
# get half-year ticks labelled twice.
YEARS = alt.Axis(
    format="d", labelFontSize=12, tickMinStep=1, labelExpr="datum.value % 1 ? '' : datum.label"
)
CONFIG = {
    "font": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#3e4c59"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "symbolSize": 120},
    "text": {"fontSize": 12},
    "view": {"stroke": None},
}


def shown(field: str, fmt: str | None, missing: str) -> str:
    """A Vega expression for a tooltip: the value formatted, or `missing` in words where it is
    null (a tooltip never says "null")."""
    value = f"format(datum.{field}, '{fmt}')" if fmt else f"datum.{field}"
    return f"isValid(datum.{field}) && datum.{field} !== '' ? {value} : '{missing}'"


def commodity_param(default: str) -> alt.Parameter:
    return alt.param(name="commodity", value=default)


def importer_param(default: str) -> alt.Parameter:
    return alt.param(name="importer", value=default)


def spec(chart: alt.TopLevelMixin) -> dict:
    # not validated against the Vega-Lite schema here (2 s of jsonschema a refresh for specs
    # the code fixes): tests/unit/test_dashboard_specs.py validates every one of them
    out = chart.to_dict(validate=False)
    out["config"] = {**out.get("config", {}), **CONFIG}
    out["autosize"] = {"type": "fit-x", "contains": "padding"}  # fill the container's width
    return out


def _bars(
    field: str, title: str, axis: alt.Axis, scale: alt.Scale, commodity, focus, stages
) -> alt.Chart:
    base = (
        alt.Chart(alt.NamedData("concentration"))
        .transform_calculate(china_shown=shown("china_share", ".1%", "not listed by the source"))
        .encode(
            y=alt.Y(
                "label:N", sort=focus, title=None, axis=alt.Axis(labelFontSize=12, labelLimit=130)
            ),
            yOffset=alt.YOffset("stage:N", sort=list(STAGE_COLOURS)),
            tooltip=[
                alt.Tooltip("label:N", title="Mineral"),
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("source_label:N", title="Source"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("china_shown:N", title="China share"),
                alt.Tooltip("hhi:Q", title="HHI", format=",.0f"),
                alt.Tooltip("top1_iso3:N", title="Top producer"),
                alt.Tooltip("band:N", title="Band"),
            ],
        )
    )
    bars = base.mark_bar(height={"band": 0.9}).encode(
        x=alt.X(f"{field}:Q", title=title, axis=axis, scale=scale),
        color=STAGE.legend(alt.Legend(**STAGE_LEGEND, values=stages)),
        opacity=alt.condition(alt.datum.commodity == commodity, alt.value(1), alt.value(0.45)),
    )
    layers = [bars]
    if field == "china_share":  # say so where the source does not list China, not "0%"
        layers.append(
            base.transform_filter("!datum.china_listed")
            .mark_text(align="left", dx=3, fontSize=11, color="#52606d")
            .encode(x=alt.datum(0), text=alt.value("China not listed"))
        )
    # a fixed height (not a step): Vega-Lite cannot fit a stepped height to the container
    return alt.layer(*layers).properties(width="container", height=24 * len(focus))


def concentration_charts(data: dict, defaults: dict) -> dict[str, dict]:
    commodity = commodity_param(defaults["commodity"])
    focus = [f["label"] for f in data["focus"]]
    stages = [s for s in STAGE_COLOURS if any(r["stage"] == s for r in data["concentration"])]
    china = _bars(
        "china_share",
        "China's share of world output",
        PCT,
        alt.Scale(domain=[0, 1]),
        commodity,
        focus,
        stages,
    ).add_params(commodity)
    bands = (
        alt.Chart(alt.Data(values=[{"hhi": 1500}, {"hhi": 2500}]))
        .mark_rule(strokeDash=[4, 3], color="#9a3412")
        .encode(x="hhi:Q")
    )
    hhi = alt.layer(
        _bars(
            "hhi",
            "HHI (0-10,000)",
            alt.Axis(format=",d", labelFontSize=12, tickCount=4),
            alt.Scale(domain=[0, 10000]),
            commodity,
            focus,
            stages,
        ),
        bands,
    ).add_params(commodity)
    return {"concentration-china": spec(china), "concentration-hhi": spec(hhi)}


def _share_lines(name: str, y_title: str, filters: list, params: list, tooltip: list) -> alt.Chart:
    """China's share by year, one line per stage; a null row breaks the line (a gap)."""
    base = alt.Chart(alt.NamedData(name))
    for f in filters:
        base = base.transform_filter(f)
    enc = {
        "x": alt.X("year:Q", title=None, axis=YEARS),
        "y": alt.Y("china_share:Q", title=y_title, axis=PCT, scale=alt.Scale(domain=[0, 1])),
        "color": STAGE,
    }
    line = base.mark_line(strokeWidth=2.5).encode(**enc)
    points = (
        base.transform_filter("isValid(datum.china_share)")
        .mark_point(filled=True, size=70, opacity=1)
        .encode(**enc, shape=alt.Shape("stage:N", legend=None), tooltip=tooltip)
    )
    return alt.layer(line, points).add_params(*params).properties(width="container", height=220)


def trend_charts(data: dict, defaults: dict) -> dict[str, dict]:
    commodity = commodity_param(defaults["commodity"])
    production = _share_lines(
        "production_series",
        "China's share of world output",
        [alt.datum.commodity == commodity],
        [commodity],
        [
            alt.Tooltip("label:N", title="Mineral"),
            alt.Tooltip("stage:N", title="Stage"),
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("china_share:Q", title="China share", format=".1%"),
            alt.Tooltip("hhi:Q", title="HHI", format=",.0f"),
            alt.Tooltip("source_label:N", title="Source"),
        ],
    )
    charts = {
        "trend-production": spec(
            production.properties(usermeta={"title": "{commodity}: China's share of world output"})
        )
    }
    if "trade_series" in data:
        importer = importer_param(defaults["importer"])
        imports = _share_lines(
            "trade_series",
            "China's share of imports",
            [alt.datum.commodity == commodity, alt.datum.importer == importer],
            [commodity, importer],
            [
                alt.Tooltip("importer:N", title="Importer"),
                alt.Tooltip("label:N", title="Mineral"),
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("china_share:Q", title="China share", format=".1%"),
                alt.Tooltip("import_value_usd:Q", title="Imports (USD)", format="$,.3s"),
                alt.Tooltip("top_supplier:N", title="Top supplier"),
                alt.Tooltip("top_share:Q", title="Top supplier share", format=".1%"),
                alt.Tooltip("products:N", title="Products"),
            ],
        )
        charts["trend-imports"] = spec(
            imports.properties(
                usermeta={"title": "{commodity}: China's share of {importer}'s imports"}
            )
        )
    return charts


def heatmap_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """China's share of imports, latest year: rows commodity x stage, columns the default
    importers and blocs plus the picked importer. Text is white on dark cells."""
    commodity = commodity_param(defaults["commodity"])
    importer = importer_param(defaults["importer"])
    columns = data["heatmap_importers"]
    rows = sorted(
        {(r["label"], r["stage"], r["row"]) for r in data["heatmap"]},
        key=lambda r: ([f["label"] for f in data["focus"]].index(r[0]), r[1]),
    )
    base = (
        alt.Chart(alt.NamedData("heatmap"))
        .transform_filter(
            f"indexof({columns!r}, datum.importer) >= 0 || datum.importer == importer"
        )
        .transform_calculate(
            share_shown=shown("china_share", ".1%", "no imports recorded"),
            value_shown=shown("import_value_usd", "$,.3s", "none"),
            top_shown=shown("top_supplier", None, "none"),
            top_share_shown=shown("top_share", ".1%", "none"),
            products_shown=shown("products", None, "no imports recorded"),
        )
        .encode(
            x=alt.X(
                "importer:N",
                sort=columns,
                title=None,
                # upright: five or more columns of bloc codes fit a phone
                axis=alt.Axis(orient="top", labelAngle=-90, labelAlign="left", labelFontSize=12),
            ),
            y=alt.Y(
                "row:N",
                sort=[r[2] for r in rows],
                title=None,
                axis=alt.Axis(labelFontSize=12, labelLimit=200),
            ),
            tooltip=[
                alt.Tooltip("importer:N", title="Importer"),
                alt.Tooltip("row:N", title="Mineral, stage"),
                alt.Tooltip("share_shown:N", title="China share"),
                alt.Tooltip("value_shown:N", title="Imports (USD)"),
                alt.Tooltip("top_shown:N", title="Top supplier"),
                alt.Tooltip("top_share_shown:N", title="Top supplier share"),
                alt.Tooltip("products_shown:N", title="Products"),
            ],
        )
    )
    # a light grid: a zero cell is white, so white lines would not show where it ends
    cells = base.mark_rect(stroke=GRID, strokeWidth=1).encode(
        color=alt.condition(
            "isValid(datum.china_share)",
            alt.Color(
                "china_share:Q",
                title="China share",
                # 0 is white, so a zero reads as zero (the "reds" scheme starts at salmon)
                # in RGB: Vega's default HCL interpolation turns white into cream at 0
                scale=alt.Scale(domain=[0, 0.25, 0.5, 0.75, 1], range=HEAT, interpolate="rgb"),
                legend=alt.Legend(format=".0%", orient="bottom", gradientLength=200),
            ),
            alt.value("#eef0f2"),
        ),
        strokeWidth=alt.condition(alt.datum.commodity == commodity, alt.value(2.5), alt.value(1)),
        stroke=alt.condition(
            alt.datum.commodity == commodity, alt.value("#102a43"), alt.value(GRID)
        ),
    )
    text = (
        base.mark_text(fontSize=12)
        .encode(
            text=alt.Text("pct:N"),
            color=alt.condition(
                "datum.china_share > 0.55", alt.value("#ffffff"), alt.value("#1f2933")
            ),
        )
        .transform_calculate(
            pct="isValid(datum.china_share) ? format(datum.china_share, '.0%') : 'none'"
        )
    )
    chart = (
        alt.layer(cells, text)
        .add_params(commodity, importer)
        .properties(width="container", height=24 * len(rows))
    )
    return {"heatmap": spec(chart)}


def export_control_chart(data: dict, defaults: dict) -> dict[str, dict]:
    """One measure's covered share (China's share of the covered trade) for the world and the
    picked importer; dashboard.js draws it once per measure by setting `measure`."""
    importer = importer_param(defaults["importer"])
    measure = alt.param(name="measure", value="")
    effective = alt.param(name="effective_year", value=0)
    base = alt.Chart(alt.NamedData("export_control_series")).transform_filter(
        (alt.datum.measure_id == measure)
        & ((alt.datum.importer == "WORLD") | (alt.datum.importer == importer))
    )
    colour = alt.Color(
        "importer:N",
        title=None,
        sort=["WORLD"],
        scale=alt.Scale(range=["#102a43", "#e8710a"]),
        legend=alt.Legend(orient="top", columns=2),  # two a row: three do not fit a phone
    )
    enc = {
        "x": alt.X(
            "year:Q",
            title=None,
            axis=YEARS,
            scale=alt.Scale(
                domain=[data["export_control_from"], data["export_control_last_year"] + 1.5]
            ),
        ),
        "y": alt.Y(
            "covered_share:Q", title="China's share", axis=PCT, scale=alt.Scale(domain=[0, 1])
        ),
        "color": colour,
    }
    line = base.mark_line(strokeWidth=2).encode(**enc)
    points = base.mark_point(filled=True, size=50).encode(
        **enc,
        tooltip=[
            alt.Tooltip("importer:N", title="Importer"),
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("covered_share:Q", title="China's share", format=".1%"),
            alt.Tooltip("covered_value_usd:Q", title="From China (USD)", format="$,.3s"),
        ],
    )
    rule = (
        alt.Chart(alt.Data(values=[{}]))
        .mark_rule(color="#c0392b", strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x=alt.X(datum=alt.expr(effective.name), type="quantitative"))
    )
    chart = (
        alt.layer(line, points, rule)
        .add_params(importer, measure, effective)
        .properties(width="container", height=160)
    )
    return {"export-control": spec(chart)}


def net_import_reliance_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """USGS's US net import reliance per focus commodity; a flag is written, not drawn as 0."""
    commodity = commodity_param(defaults["commodity"])
    order = [r["row"] for r in data["net_import_reliance"]]
    base = (
        alt.Chart(alt.NamedData("net_import_reliance"))
        .transform_calculate(sources_shown=shown("top_import_sources", None, "not reported"))
        .encode(
            y=alt.Y(
                "row:N",
                sort=order,
                title=None,
                axis=alt.Axis(labelFontSize=12, labelLimit=WIDE_LABELS),
            ),
            tooltip=[
                alt.Tooltip("row:N", title="Mineral"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("shown:N", title="Net import reliance"),
                alt.Tooltip("sources_shown:N", title="Import sources 2021-24"),
            ],
        )
    )
    bars = base.mark_bar(color="#334e68").encode(
        x=alt.X(
            "nir:Q", title="US net import reliance (USGS)", axis=PCT, scale=alt.Scale(domain=[0, 1])
        ),
        opacity=alt.condition(alt.datum.commodity == commodity, alt.value(1), alt.value(0.45)),
    )
    text = (
        base.mark_text(align="left", dx=4, fontSize=12, color="#1f2933")
        .encode(x=alt.X("nir_or_zero:Q"), text="shown:N")
        .transform_calculate(nir_or_zero="isValid(datum.nir) ? datum.nir : 0")
    )
    chart = (
        alt.layer(bars, text)
        .add_params(commodity)
        .properties(width="container", height=24 * len(order))
    )
    return {"net-import-reliance": spec(chart)}


def stockpile_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """Six months of what each of the picked importer's own largest suppliers ships, by value
    (tonnes of ore and of magnets do not add up); the tooltip gives the supply at risk with its
    basis, unit basis and source, and the months a 6-month stockpile covers."""
    commodity = commodity_param(defaults["commodity"])
    importer = importer_param(defaults["importer"])
    chart = (
        alt.Chart(alt.NamedData("stockpile_cover"))
        .transform_filter((alt.datum.commodity == commodity) & (alt.datum.importer == importer))
        .transform_calculate(
            industry_shown=shown("industry_stocks_months", ".1f", "none reported (US only)"),
            at_risk_shown=shown("annual_at_risk_t", ",.0f", "no figure on this basis (see note)"),
            months_shown=shown("months_covered_by_6m_stockpile", ".1f", "not measured"),
            flow_shown=shown("flow_stops_t", ",.0f", "no tonnes in the trade data"),
            stockpile_shown=shown("stockpile_6m_t", ",.0f", "no figure on this basis"),
            replace_shown=shown("exports_replacement_ratio", ",.1f", "not measured"),
            scope=alt.datum.basis + ", " + alt.datum.unit_basis + ", " + alt.datum.source,
        )
        .mark_bar()
        .encode(
            y=alt.Y("row:N", sort="-x", title=None, axis=alt.Axis(labelFontSize=12)),
            x=alt.X(
                "flow_6m_value_usd:Q",
                title="Six months of the flow that stops, USD (BACI)",
                # the last label ends at its tick, so "$150M" is not cut on a phone
                axis=alt.Axis(
                    format="$~s",
                    labelExpr="datum.value == 0 ? '$0' : datum.label",
                    labelAlign=alt.ExprRef(
                        "datum.index === 1 ? 'right' : datum.index === 0 ? 'left' : 'center'"
                    ),
                    labelFontSize=12,
                    tickCount=4,
                ),
            ),
            color=STAGE.legend(None),  # the row label names the stage
            tooltip=[
                alt.Tooltip("supplier:N", title="If this supplier stops"),
                alt.Tooltip("supplier_rank:O", title="Its rank among the importer's suppliers"),
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("products:N", title="Products (HS codes)"),
                alt.Tooltip("supplier_share:Q", title="Its share (tonnes)", format=".0%"),
                alt.Tooltip("flow_shown:N", title="Flow that stops (t, gross weight)"),
                alt.Tooltip("scope:N", title="At risk: basis, unit basis, source"),
                alt.Tooltip("at_risk_shown:N", title="Lost per year (t)"),
                alt.Tooltip("stockpile_shown:N", title="Stockpile for 6 months (t)"),
                alt.Tooltip("months_shown:N", title="Months a 6-month stockpile covers"),
                alt.Tooltip("replace_shown:N", title="Others' exports / flow (t/t)"),
                alt.Tooltip("industry_shown:N", title="US industry stocks (months)"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
        .add_params(commodity, importer)
        .properties(
            width="container",
            height=260,
            usermeta={"title": "{commodity}: six months of each large supplier's flow, {importer}"},
        )
    )
    return {"stockpile-cover": spec(chart)}


MONTHLY_COLOURS = {"USA": "#102a43", "JPN": "#e8710a", "OTHERS": "#52606d"}
MONTHLY_TITLES = {"USA": "to USA", "JPN": "to Japan", "OTHERS": "to the rest"}


def _utc_month(iso: str) -> alt.DateTime:
    year, month, day = (int(x) for x in iso[:10].split("-"))
    return alt.DateTime(year=year, month=month, date=day, utc=True)


def _monthly_chart(s: dict, destination: str) -> alt.LayerChart:
    """One destination's monthly line for one (measure, hs6). Both axes have fixed finite
    domains computed here (an empty filtered dataset would otherwise give Vega an infinite
    extent); a null month breaks the line (a gap, not 0)."""
    end = max(s["last_month"], s["effective"])
    first_year = int(s["first_month"][:4]) + (s["first_month"][5:7] != "01")
    top = s["max_value_usd"][destination] or 1
    x = alt.X(
        "period:T",
        title=None,
        scale=alt.Scale(type="utc", domain=[_utc_month(s["first_month"]), _utc_month(end)]),
        # a label every second January: legible on a phone, and no label dropped unevenly
        axis=alt.Axis(
            format="%Y",
            values=[_utc_month(f"{y}-01-01") for y in range(first_year, int(end[:4]) + 1, 2)],
            labelFontSize=12,
        ),
    )
    y = alt.Y(
        "value_usd:Q",
        title=MONTHLY_TITLES[destination],
        scale=alt.Scale(domain=[0, top * 1.08], nice=False),
        # the same y-axis width in every row, so the stacked charts share one time axis
        axis=alt.Axis(
            format="$~s",
            labelExpr="datum.value == 0 ? '$0' : datum.label",  # not "$0M"
            tickCount=3,
            labelFontSize=12,
            minExtent=44,
        ),
    )
    colour = MONTHLY_COLOURS[destination]
    base = alt.Chart(alt.NamedData("export_control_monthly")).transform_filter(
        (alt.datum.measure_id == s["measure_id"])
        & (alt.datum.hs6 == s["hs6"])
        & (alt.datum.destination == destination)
    )
    line = base.mark_line(strokeWidth=1.8, color=colour).encode(x=x, y=y)
    # small points, so a month between two gaps still shows
    points = (
        base.transform_filter("isValid(datum.value_usd)")
        .mark_point(filled=True, size=14, color=colour, opacity=1)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("destination:N", title="To"),
                alt.Tooltip("period:T", timeUnit="utcyearmonth", title="Month", format="%b %Y"),
                alt.Tooltip("value_usd:Q", title="China's exports (USD)", format="$,.3s"),
            ],
        )
    )
    eff = alt.Chart(alt.Data(values=[{"effective": s["effective"]}]))
    rule = eff.mark_rule(color="#c0392b", strokeDash=[4, 3], strokeWidth=1.5).encode(
        x=alt.X("effective:T", scale=alt.Scale(type="utc"))
    )
    return alt.layer(line, points, rule).properties(width="container", height=72)


def export_control_monthly_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """Per (measure, hs6) and destination with any recorded exports: China's monthly exports
    (one small chart each, stacked by dashboard.js, so a small line to the US is not flattened
    by the rest), the measure's effective date a red dashed rule."""
    out = {}
    for s in data["export_control_monthly_series"]:
        shown = [d for d in MONTHLY_COLOURS if s["max_value_usd"][d] is not None]
        for d in shown:
            out[f"monthly-{s['measure_id']}-{s['hs6']}-{d}"] = spec(_monthly_chart(s, d))
    return out


def import_monthly_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """Per watched (importer, line): monthly imports by value, stacked by origin (China first,
    in red; the next three origins; all others), each on its own fixed axes; and one chart of
    China's 2025 magnet exports as the press reported them."""
    out = {}
    for s in data["import_monthly_series"]:
        ranks = {
            r["origin"]: r["origin_rank"]
            for r in data["import_monthly_by_origin"]
            if (r["source"], r["importer_iso3"], r["code"])
            == (s["source"], s["importer_iso3"], s["code"])
        }
        out[s["id"]] = spec(_imports_by_origin_chart(s, sorted(ranks, key=ranks.get)))
    if data["press_china_exports"]:
        out["press-china-magnets"] = spec(_press_chart())
    return out


ORIGIN_COLOURS = {0: "#c0392b", 1: "#2166ac", 2: "#7fb3d5", 3: "#c5d5e4", 4: "#9aa5b1"}


def _imports_by_origin_chart(s: dict, origins: list[str]) -> alt.Chart:
    one_month = s["first_month"] == s["last_month"]
    x = alt.X(
        "period:T",
        title=None,
        timeUnit="utcyearmonth",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%b %Y" if one_month else "%Y-%m", labelFontSize=12, tickCount=6),
    )
    y = alt.Y(
        "value_usd:Q",
        title="imports (USD)",
        stack="zero",
        scale=alt.Scale(domain=[0, (s["max_value_usd"] or 1) * 1.08], nice=False),
        axis=alt.Axis(format="$~s", tickCount=3, labelFontSize=12, minExtent=44),
    )
    # China first and always red (never given to another origin where China is absent), then
    # the series' next three origins, then all others
    colours = [ORIGIN_COLOURS[0] if o == "China" else None for o in origins]
    others = iter(ORIGIN_COLOURS[i] for i in (1, 2, 3))
    colours = [
        c or (ORIGIN_COLOURS[4] if o == "all other origins" else next(others))
        for c, o in zip(colours, origins, strict=True)
    ]
    colour = alt.Color(
        "origin:N",
        title=None,
        scale=alt.Scale(domain=origins, range=colours),
        legend=alt.Legend(orient="top", direction="horizontal", labelFontSize=12, columns=3),
    )
    base = alt.Chart(alt.NamedData("import_monthly_by_origin")).transform_filter(
        (alt.datum.source == s["source"])
        & (alt.datum.importer_iso3 == s["importer_iso3"])
        & (alt.datum.code == s["code"])
    )
    bars = base.mark_bar().encode(
        x=x,
        y=y,
        color=colour,
        order=alt.Order("origin_rank:Q", sort="ascending"),
        tooltip=[
            alt.Tooltip("period:T", timeUnit="utcyearmonth", title="Month", format="%b %Y"),
            alt.Tooltip("origin:N", title="From"),
            alt.Tooltip("value_usd:Q", title="Imports (USD)", format="$,.3s"),
        ],
    )
    return bars.properties(width="container", height=110)


def _press_chart() -> alt.Chart:
    partners = {"WLD": "to all destinations", "USA": "to the US", "JPN": "to Japan"}
    return (
        alt.Chart(alt.NamedData("press_china_exports"))
        .transform_calculate(
            to="datum.partner_iso3 == 'WLD' ? 'to all destinations' : "
            "datum.partner_iso3 == 'USA' ? 'to the US' : 'to Japan'"
        )
        .mark_line(point=True, strokeWidth=1.8)
        .encode(
            x=alt.X(
                "period:T",
                title=None,
                timeUnit="utcyearmonth",
                scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%b", labelFontSize=12),
            ),
            y=alt.Y("quantity:Q", title="tonnes (press-reported)", axis=alt.Axis(tickCount=4)),
            color=alt.Color(
                "to:N",
                title=None,
                sort=list(partners.values()),
                scale=alt.Scale(range=["#c0392b", "#102a43", "#e8710a"]),
                legend=alt.Legend(orient="top", direction="horizontal", labelFontSize=12),
            ),
            tooltip=[
                alt.Tooltip("period:T", timeUnit="utcyearmonth", title="Month", format="%b %Y"),
                alt.Tooltip("to:N", title="China's exports"),
                alt.Tooltip("quantity:Q", title="Tonnes", format=",.0f"),
                alt.Tooltip("label:N", title="Figure"),
                alt.Tooltip("outlet:N", title="Page"),
            ],
        )
        .properties(width="container", height=140)
    )


# --- the project pipeline: one chart per scope or series, drawn for the picked mineral -------

SCENARIO_COLOURS = {
    "as announced": "#102a43",
    "delayed two years": "#829ab1",
    "committed only": "#2f8f5b",
}
SCENARIO = alt.Color(
    "scenario_label:N",
    title=None,
    scale=alt.Scale(domain=list(SCENARIO_COLOURS), range=list(SCENARIO_COLOURS.values())),
    legend=alt.Legend(orient="top", columns=2),  # two a row: three do not fit a phone
)
OUTLOOK_YEARS = alt.Scale(domain=[2024, 2030])
LINE_LEGEND = {
    "orient": "top",
    "columns": 2,
    "symbolType": "stroke",
    "symbolStrokeWidth": 2.5,
}


def _label(commodity: str) -> str:
    return commodity.replace("_", " ").capitalize()


def project_capacity_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """Per capacity scope: the pipeline's nameplate by year under each scenario. Capacity is
    not production: the title says so, and what it counts (usermeta.commodity: dashboard.js
    draws the picked mineral's charts only)."""
    out = {}
    scopes = {r["scope"]: r for r in data["project_capacity"]}
    order = list(STAGE_COLOURS)  # mining, refining, manufacturing
    for scope, r in sorted(scopes.items(), key=lambda s: (order.index(s[1]["stage"]), s[0])):
        unit = f"{r['capacity_unit']} per year"
        chart = (
            alt.Chart(alt.NamedData("project_capacity"))
            .transform_filter(alt.datum.scope == scope)
            .mark_bar()
            .encode(
                x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelFontSize=12)),
                xOffset=alt.XOffset("scenario_label:N", sort=list(SCENARIO_COLOURS)),
                y=alt.Y(
                    "capacity:Q",
                    title=unit,
                    axis=alt.Axis(format="~s", tickCount=4, labelFontSize=12),
                ),
                color=SCENARIO,
                tooltip=[
                    alt.Tooltip("year:O", title="Year"),
                    alt.Tooltip("scenario_label:N", title="Scenario"),
                    alt.Tooltip("capacity:Q", title=f"Nameplate ({unit})", format=",.0f"),
                    alt.Tooltip("n_projects:Q", title="Projects"),
                    alt.Tooltip("projects_shown:N", title="Counted"),
                ],
            )
            .transform_calculate(projects_shown=shown("projects", None, "none"))
            .properties(
                width="container",
                height=190,
                usermeta={
                    "commodity": r["commodity"],
                    "title": f"{_label(r['commodity'])}, {r['stage']}: {r['product']} outside "
                    f"China, nameplate capacity in {unit} (capacity, not production)",
                },
            )
        )
        out[f"capacity-{scope}"] = spec(chart)
    return out


def project_outlook_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """Per production series: China's share of output 2024-2030 under each scenario, IEA's own
    2030 projection beside it, the 50% and EU 65% lines."""
    out = {}
    rows = data["project_outlook"]
    for (commodity, stage, source), r in {
        (r["commodity"], r["stage"], r["source"]): r for r in rows
    }.items():
        base = alt.Chart(alt.NamedData("project_outlook")).transform_filter(
            (alt.datum.commodity == commodity)
            & (alt.datum.stage == stage)
            & (alt.datum.source == source)
        )
        enc = {
            "x": alt.X("year:Q", title=None, axis=YEARS, scale=OUTLOOK_YEARS),
            "y": alt.Y(
                "china_share:Q", title="China's share of output", axis=PCT,
                scale=alt.Scale(domain=[0, 1]),
            ),
            # one legend of line symbols: colour and dash share the field and the legend
            "color": SCENARIO.legend(**LINE_LEGEND),
            "strokeDash": alt.StrokeDash(
                "scenario_label:N",
                title=None,
                scale=alt.Scale(domain=list(SCENARIO_COLOURS), range=[[1, 0], [6, 3], [2, 2]]),
                legend=alt.Legend(**LINE_LEGEND),
            ),
        }  # fmt: skip
        lines = base.mark_line(strokeWidth=2.2).encode(**enc)
        points = (
            base.mark_point(filled=True, size=45, opacity=1)
            .encode(
                x=enc["x"],
                y=enc["y"],
                color=SCENARIO.legend(None),
                tooltip=[
                    alt.Tooltip("year:O", title="Year"),
                    alt.Tooltip("scenario_label:N", title="Scenario"),
                    alt.Tooltip("china_share:Q", title="China's share", format=".1%"),
                    alt.Tooltip("china_output_t:Q", title="China (t)", format=",.0f"),
                    alt.Tooltip(
                        "ex_china_output_t:Q", title="Rest of the world (t)", format=",.0f"
                    ),
                    alt.Tooltip("output_added_shown:N", title="Pipeline output added (t)"),
                    alt.Tooltip("kind:N", title="Figure"),
                ],
            )
            .transform_calculate(
                output_added_shown=shown("pipeline_output_added_t", ",.0f", "none"),
                kind="datum.is_outlook ? 'modelled' : 'observed'",
            )
        )
        iea = (
            base.transform_filter(
                "datum.year == 2030 && datum.scenario == 'as_announced' && "
                "isValid(datum.iea_china_share_2030)"
            )
            .mark_point(shape="diamond", size=170, filled=True, color="#c0392b", opacity=1)
            .encode(
                x=enc["x"],
                y=alt.Y("iea_china_share_2030:Q", scale=alt.Scale(domain=[0, 1])),
                tooltip=[
                    alt.Tooltip("iea_china_share_2030:Q", title="IEA 2030, base case",
                                format=".1%"),
                    alt.Tooltip("iea_china_share_2035:Q", title="IEA 2035, base case",
                                format=".1%"),
                ],
            )
        )  # fmt: skip
        lines_at = alt.Chart(
            alt.Data(
                values=[
                    {"year": 2024, "china_share": 0.65, "what": "EU 65%"},
                    {"year": 2024, "china_share": 0.5, "what": "50%"},
                ]
            )
        )
        rules = lines_at.mark_rule(strokeDash=[4, 3], color="#9a3412").encode(y=enc["y"])
        rule_text = lines_at.mark_text(
            align="left", dx=3, dy=-6, fontSize=11, color="#9a3412"
        ).encode(x=enc["x"], y=enc["y"], text="what:N")
        u = r["utilisation"]
        projected = any(
            x["iea_china_share_2030"] is not None
            for x in rows
            if (x["commodity"], x["stage"], x["source"]) == (commodity, stage, source)
        )
        iea_words = (
            "red diamond: IEA's 2030 projection"
            if projected
            else "IEA projects nothing for this series"
        )
        chart = alt.layer(rules, rule_text, lines, points, iea).properties(
            width="container",
            height=220,
            usermeta={
                "commodity": commodity,
                # the unit names the series' source (e.g. "t of primary gallium, USGS")
                "title": f"{_label(commodity)}, {stage} ({r['unit']}): China's share of output "
                f"per scenario = today's output plus the pipeline's nameplate x {u:.0%} "
                f"utilisation (capacity is not production); {iea_words}",
            },
        )
        out[f"outlook-{commodity}-{stage}-{source}"] = spec(chart)
    return out


def _measure_rules(commodity: alt.Parameter) -> alt.Chart:
    """Each export control on the picked mineral: a red dashed rule at its effective date."""
    return (
        alt.Chart(alt.NamedData("prices_measures"))
        .transform_filter(alt.datum.commodity == commodity)
        .mark_rule(color="#c0392b", strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x=alt.X("effective_year:Q"),
            tooltip=[
                alt.Tooltip("measure_id:N", title="Export control"),
                alt.Tooltip("effective:N", title="Effective"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )


# a one-column legend's labels as wide as the chart allows (the legend starts where the plot
# does, about 100 px in): a product's purity or a code's "basket" at a line's end is not cut off
FULL_WIDTH_LABELS = alt.ExprRef("containerSize()[0] - 110")
# 20 colours: a mineral can have 19 priced products (rare earths), and 10 colours repeat
PRODUCT_SCALE = alt.Scale(scheme="tableau20")


def prices_charts(data: dict, defaults: dict) -> dict[str, dict]:
    """USGS's price lines by product and the trade unit-value lines (China's exports, the world
    median, the picked importer's imports) of the picked mineral, USD per kg on a log scale (a
    terbium oxide and a cerium oxide share one axis), each export control a red dashed rule.
    A USGS estimate (2025e) is a hollow point, never read as a reported figure."""
    commodity = commodity_param(defaults["commodity"])
    importer = importer_param(defaults["importer"])
    x = alt.X("year:Q", title=None, axis=YEARS)
    y = alt.Y("usd_per_kg:Q", title="USD per kg", scale=alt.Scale(type="log"))
    usgs = (
        alt.Chart(alt.NamedData("prices_usgs"))
        .transform_filter(alt.datum.commodity == commodity)
        .transform_calculate(
            reported=alt.expr.if_(alt.datum.is_estimate, "estimated by USGS (e)", "reported")
        )
    )
    enc = {
        "x": x,
        "y": y,
        "color": alt.Color(
            "product:N",
            title=None,
            scale=PRODUCT_SCALE,
            # one column: two cut the purities that tell products apart (99.99% vs 99.999%)
            legend=alt.Legend(orient="bottom", columns=1, labelLimit=FULL_WIDTH_LABELS),
        ),
    }
    tooltip = [
        alt.Tooltip("product:N", title="Product"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("reported:N", title="Figure"),
        alt.Tooltip("usd_per_kg:Q", title="USD per kg", format=",.2f"),
        alt.Tooltip("basis:N", title="Basis"),
        alt.Tooltip("terms:N", title="Terms"),
        alt.Tooltip("quoted_source:N", title="Source USGS cites"),
        alt.Tooltip("unit_basis:N", title="Per kg of"),
        alt.Tooltip("edition:N", title="Edition"),
    ]
    usgs_chart = alt.layer(
        usgs.mark_line(strokeWidth=2).encode(**enc),
        usgs.transform_filter(~alt.datum.is_estimate)
        .mark_point(filled=True, size=50)
        .encode(**enc, tooltip=tooltip),
        usgs.transform_filter(alt.datum.is_estimate)  # an estimate: a hollow point
        .mark_point(filled=False, size=50, strokeWidth=2, fill="#ffffff")
        .encode(**enc, tooltip=tooltip),
        _measure_rules(commodity),
    ).add_params(commodity)
    trade = (
        alt.Chart(alt.NamedData("prices_unit_values"))
        .transform_filter(
            (alt.datum.commodity == commodity)
            & ((alt.datum.importer == "WLD") | (alt.datum.importer == importer))
        )
        .transform_calculate(tonnes_shown=shown("quantity_t", ",.0f", "a median: no tonnes"))
    )
    trade_enc = {
        "x": x,
        "y": y,
        # two a row: three do not fit a phone ("world median" was cut at 390 px)
        "color": alt.Color("line:N", title=None, legend=alt.Legend(orient="top", columns=2)),
        # the code in words, its stage and "basket", each drawn as its dash (not a grey dot)
        "strokeDash": alt.StrokeDash(
            "code_label:N",
            title=None,
            legend=alt.Legend(
                orient="bottom",
                columns=1,
                symbolType="stroke",
                symbolStrokeWidth=2,
                symbolSize=400,
                labelLimit=FULL_WIDTH_LABELS,
            ),
        ),
    }
    trade_chart = alt.layer(
        trade.mark_line(strokeWidth=2).encode(**trade_enc),
        trade.mark_point(filled=True, size=40).encode(
            x=x,
            y=y,
            color=trade_enc["color"],
            tooltip=[
                alt.Tooltip("product_label:N", title="Code"),
                alt.Tooltip("line:N", title="Line"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("usd_per_kg:Q", title="USD per kg", format=",.2f"),
                alt.Tooltip("tonnes_shown:N", title="Tonnes"),
            ],
        ),
        _measure_rules(commodity),
    ).add_params(commodity, importer)
    return {
        "prices-usgs": spec(
            usgs_chart.properties(
                width="container",
                height=240,
                usermeta={"title": "{commodity}: USGS prices by product (latest edition)"},
            )
        ),
        "prices-unit-values": spec(
            trade_chart.properties(
                width="container",
                height=220,
                usermeta={"title": "{commodity}: trade unit values (BACI, per kg gross weight)"},
            )
        ),
    }
