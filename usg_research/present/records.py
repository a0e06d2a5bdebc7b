"""Census and police records as exhibits: population, the pyramid, offence rates, homicide, time and place.

The numbers come from :mod:`usg_research.estimate.context` and :mod:`usg_research.estimate.crime`
(rates per 100,000 with exact Poisson CIs); these functions label and draw them.

Examples
--------
>>> import pandas as pd
>>> from usg_research.present.exhibit import OutputContext
>>> pop = pd.DataFrame({"dimension": ["age_group"], "group": ["0-4"], "male": [1200], "female": [1100],
...                     "total": [2300]})
>>> population(pop, OutputContext.of("TAB-CTX-01")).view.iloc[0].tolist()
['Age group: 0-4', '1,200', '1,100', '2,300']
"""

from __future__ import annotations

import pandas as pd

from ..estimate.crime import ICCS_SECTIONS
from . import count_charts, maps
from .exhibit import Exhibit, OutputContext


def population(table: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Population by age group and by sub-area, men and women
    (:func:`~usg_research.estimate.context.population_by_age_and_area`)."""
    w = out.words
    view = pd.DataFrame({w.label("col:group"): [f"{w.label('domain:' + d)}: {g}" for d, g in
                                                 zip(table["dimension"], table["group"], strict=True)],
                         w.label("col:male"): table["male"].map(w.number),
                         w.label("col:female"): table["female"].map(w.number),
                         w.label("col:total"): table["total"].map(w.number)})
    return Exhibit(table, view=view)


def pyramid(table: pd.DataFrame, out: OutputContext) -> Exhibit:
    """The population pyramid (:func:`~usg_research.estimate.context.population_table`)."""
    w = out.words
    male, female = w.phrase("male_female").split(",")
    return Exhibit(table, figure=count_charts.pyramid(table, out.title, male, female, w.phrase("residents")))


def section_rates(rates: pd.DataFrame, out: OutputContext, records: int, months: pd.Series | None = None
                  ) -> Exhibit:
    """Recorded offences per 100,000 by ICCS section and year, with exact Poisson CIs
    (:func:`~usg_research.estimate.context.rates_by_section`); ``records`` is how many records they count;
    ``months`` (months counted by year) notes a year counted only in part."""
    w = out.words
    lab = {s: f"{s} {ICCS_SECTIONS[s][out.language]}" if s != "unmapped" else ICCS_SECTIONS[s][out.language]
           for s in rates["iccs_section"].unique()}
    plot = rates.assign(series=rates["iccs_section"].map(lab))
    fig = count_charts.rate_lines(plot, out.title, "year", "series", w.phrase("year"), w.phrase("rate_100k"))
    notes = [f"{w.phrase('ci_counts')}; {w.number(records)} {w.phrase('offences')}."]
    if months is not None:
        notes += [w.phrase("partial_months", year=y, months=int(m)) for y, m in months.items() if m < 12]
    return Exhibit(rates, figure=fig, notes=tuple(notes))


def quadrant_map(rates: pd.DataFrame, shapes: pd.Series | None, out: OutputContext, top: int = 25) -> Exhibit:
    """Recorded crimes per 100,000 residents a year by police quadrant (:func:`~usg_research.estimate.crime.
    area_rates`): a choropleth on the quadrants' boundaries, or without them the ``top`` highest rates as bars.
    The data hold every quadrant, with its class on the map."""
    w = out.words
    data, key = rates, rates.columns[0]
    residents = ~data["no_population"]
    if shapes is None:
        fig = count_charts.rate_bars(data[residents].head(top), out.title, key,
                                f"{w.phrase('offences')} {w.phrase('per_100k')}")
        return Exhibit(data, figure=fig, notes=(w.phrase("no_boundaries_note", k=min(top, int(residents.sum()))),))
    fig, classes = maps.choropleth(shapes, data.set_index(key)["rate"], out.title,
                                   f"{w.phrase('rate_100k')}, {w.phrase('per_year')}", w.phrase("no_residents"),
                                   number=lambda x: w.number(x, 0 if abs(x) >= 10 else 1))
    data = data.assign(map_class=data[key].map(classes))
    note = w.phrase("quadrant_map_note", n=int(residents.sum()), k=int((~residents).sum()))
    return Exhibit(data, figure=fig, notes=(f"{w.phrase('ci_counts')}; {w.phrase('rate_100k')}, "
                                            f"{w.phrase('per_year')}.", note))


def homicide(table: pd.DataFrame, out: OutputContext) -> Exhibit:
    """The area's recorded homicide rate by year against the country's cited rate
    (:func:`~usg_research.estimate.context.homicide_comparison`)."""
    w = out.words
    names = {"area": w.phrase("area_word"), "country": w.phrase("country_word")}
    plot = table.assign(series=[f"{names[lv]}{': ' + n if n else ''}" for lv, n in
                                zip(table["level"], table["name"], strict=True)])
    fig = count_charts.rate_lines(plot, out.title, "year", "series", w.phrase("year"), w.phrase("rate_100k"))
    note = f"{w.phrase('ci_counts')}. {w.phrase('synthetic_facts')}; {w.phrase('city_word')}: " \
           f"{w.phrase('no_city_homicide')}."
    return Exhibit(table, figure=fig, notes=(note,))


def hour_weekday(matrix: pd.DataFrame, out: OutputContext, records: int) -> Exhibit:
    """Recorded offences by day of week and hour of day (:func:`~usg_research.estimate.crime.hour_weekday`)."""
    w = out.words
    matrix = matrix.copy()
    matrix.index = w.phrase("weekdays").split(",")
    data = matrix.rename_axis("weekday").reset_index().melt(id_vars="weekday", var_name="hour", value_name="count")
    fig = count_charts.heatmap(matrix, out.title, w.phrase("hour"), w.phrase("weekday"), w.phrase("offences"))
    return Exhibit(data, figure=fig, notes=(f"{w.number(records)} {w.phrase('offences')}.",))


def area_rates(rates: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Recorded offences per 100,000 residents a year by sub-area, with exact Poisson CIs
    (:func:`~usg_research.estimate.context.rates_by_area`), highest first, as bars: the city supplied no
    sub-area boundaries to draw a map on (the caption says so); sub-area names in the report's script."""
    w = out.words
    t = rates.sort_values("rate", ascending=False, kind="stable", na_position="last")
    shown = t.assign(area=[w.place(str(a)) for a in t["area"]])
    fig = count_charts.rate_bars(shown, out.title, "area", f"{w.phrase('offences')} {w.phrase('per_100k')}")
    note = f"{w.phrase('ci_counts')}; {w.phrase('rate_100k')}, {w.phrase('per_year')}. {w.phrase('no_area_boundaries')}"
    return Exhibit(rates, figure=fig, notes=(note,))


def _rate_column(t: pd.DataFrame, out: OutputContext) -> dict[str, list[str]]:
    """The column "rate per 100,000 a year [95% CI]" of a rates table, numbers in the report's format."""
    w = out.words
    cells = [f"{w.number(r, 1)} ({w.number(lo, 1)}-{w.number(hi, 1)})"
             for r, lo, hi in zip(t["rate"], t["ci_low"], t["ci_high"], strict=True)]
    return {f"{w.phrase('rate_100k')}, {w.phrase('per_year')} [{w.phrase('ci_counts')}]": cells}


def crime_types(table: pd.DataFrame, out: OutputContext, months: pd.Series) -> Exhibit:
    """Recorded crimes by type as recorded, with their ICCS code: the count of each year, the period's total
    and its rate per 100,000 residents a year (:func:`~usg_research.estimate.crime.crime_type_table`);
    ``months`` (months counted by year) notes a year counted in part."""
    w = out.words
    years = [c for c in table.columns if c.isdigit()]
    view = pd.DataFrame({
        w.label("col:offence"): [w.label("level:all") if c == "total" else c for c in table["crime"]],
        w.label("col:iccs"): table["iccs_code"],
        **{y: table[y].map(w.number) for y in years},
        w.label("col:total"): table["count"].map(w.number),
        **_rate_column(table, out)})
    notes = [w.phrase("partial_months", year=y, months=int(m)) for y, m in months.items() if m < 12]
    return Exhibit(table, view=view, notes=tuple(notes))


def monthly_types(rates: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Recorded crimes per 100,000 residents a year by month, one panel per crime type as recorded, most
    recorded first (:func:`~usg_research.estimate.crime.monthly_rates`)."""
    w = out.words
    codes = rates["iccs_code"] if "iccs_code" in rates.columns else pd.Series("", index=rates.index)
    plot = rates.assign(panel=[f"{c} ({code})" if code else c for c, code in zip(rates["crime"], codes, strict=True)])
    ylabel = f"{w.phrase('rate_100k')}, {w.phrase('per_year')}"
    fig = count_charts.rate_panels(plot, out.title, "month", "panel", ylabel)
    return Exhibit(rates, figure=fig, notes=(f"{w.phrase('ci_counts')}. {w.phrase('monthly_rate_note')}",))


def sector_rates(rates: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Recorded crimes per 100,000 residents a year by police sector, highest first
    (:func:`~usg_research.estimate.crime.area_rates` by sector)."""
    w = out.words
    view = pd.DataFrame({
        w.label("col:sector"): rates["sector"],
        w.label("col:residents"): rates["population"].map(w.number),
        w.label("col:total"): rates["count"].map(w.number),
        **_rate_column(rates, out)})
    return Exhibit(rates, view=view, notes=(w.phrase("sector_note"),))


def iccs(mapping: pd.DataFrame, out: OutputContext, mapping_file: str) -> Exhibit:
    """The offence labels as recorded, their ICCS code and section, and how many records each has
    (:func:`~usg_research.estimate.crime.iccs_table`); ``mapping_file`` is cited in the caption."""
    w = out.words
    view = pd.DataFrame({w.label("col:offence"): mapping["offence"], w.label("col:iccs"): mapping["iccs_code"],
                         w.label("col:section"): [ICCS_SECTIONS[s][out.language] for s in mapping["iccs_section"]],
                         w.label("col:records"): mapping["records"].map(w.number)})
    return Exhibit(mapping, view=view, notes=(f"{mapping_file}.",))
