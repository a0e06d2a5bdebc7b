"""TAB-PRI-01: themes ranked on the evidence, ties broken by the evidence, never by catalogue order."""

from __future__ import annotations

import pandas as pd

from usg_research.estimate.priorities import THEMES, rank_priorities

NO_DIFFERENCES = pd.DataFrame(columns=["indicator", "estimate", "difference", "p"])


def _sessions(shares: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"theme": list(shares), "share": list(shares.values())})


def test_equal_scores_are_ordered_by_the_share_of_sessions_then_share_a_rank() -> None:
    # gbv (vawg) and gangs (violence) both salient; gangs mentioned more: violence first whatever the catalogue
    sal = _sessions({"gbv": 0.45, "gangs": 0.70, "fraud": 0.10, "road_safety": 0.10})
    t = rank_priorities(NO_DIFFERENCES, sal, None).set_index("theme")
    assert t.loc["violence", "rank"] == 1 and t.loc["vawg", "rank"] == 2
    assert t.loc["violence", "score"] == t.loc["vawg", "score"] == 1
    # fraud and road safety: score 0, 10% of sessions each, no records: equal evidence, one shared rank
    assert t.loc["fraud", "rank"] == t.loc["road_safety", "rank"] == 3
    # themes no session mentions come after, all sharing the next rank
    assert set(t.loc[t["qual_share"] == 0, "rank"]) == {5}


def test_recorded_crime_change_breaks_the_remaining_ties() -> None:
    records = pd.DataFrame({"year": [2019] * 10 + [2021] * 30 + [2019] * 10 + [2021] * 12,
                            "iccs_code": ["0401"] * 40 + ["0101"] * 22})
    t = rank_priorities(NO_DIFFERENCES, None, records).set_index("theme")
    assert t.loc["property_crime", "score"] == 1 and t.loc["property_crime", "rank"] == 1  # rising: 10 -> 30
    assert t.loc["violence", "crime"] == "not_rising" and t.loc["violence", "rank"] == 2  # 10 -> 12: next


def test_without_any_evidence_nothing_is_ranked() -> None:
    t = rank_priorities(NO_DIFFERENCES, None, None)
    assert t["rank"].isna().all() and len(t) == len(THEMES)
    assert list(t["theme"]) == sorted(t["theme"])  # listed by name, not in catalogue order
