"""The deal catalogue and deal arrays."""

from __future__ import annotations

import numpy as np
import pytest

from sim import UserError
from sim.model.deals import DealSet, build_menu, catalogue
from sim.model.islands import ISLAND_KEYS, area_shares, load_islands

NAMED = {
    "status_quo",
    "shelve",
    "aid_first",
    "two_islands",
    "two_plus_alpha",
    "three_islands",
    "area_split",
    "four_phased",
    "four_islands",
}


def test_catalogue_has_the_named_deals_with_anchors():
    deals = catalogue()
    assert set(deals) >= NAMED
    assert all(spec.anchor for spec in deals.values())


def test_islands_are_the_japanese_government_areas():
    areas = {i.key: i.area_km2 for i in load_islands()}
    assert areas == {"habomai": 95, "shikotan": 251, "kunashiri": 1490, "etorofu": 3168}
    assert area_shares().sum() == pytest.approx(1.0)


def test_area_split_gives_japan_half_of_the_area():
    shares = np.array(catalogue()["area_split"].shares())
    # 0.5 * 5003 km2 against the areas of the islands; the catalogue rounds to 21%.
    assert shares @ area_shares() == pytest.approx(0.5, abs=0.005)


def test_two_islands_are_habomai_and_shikotan():
    shares = dict(zip(ISLAND_KEYS, catalogue()["two_islands"].shares(), strict=True))
    assert shares == {"habomai": 1.0, "shikotan": 1.0, "kunashiri": 0.0, "etorofu": 0.0}


def test_menu_puts_status_quo_first_and_drops_duplicates():
    menu = build_menu(["shelve", "two_islands", "shelve", "status_quo"], {})
    assert menu.ids == ("status_quo", "shelve", "two_islands")
    assert menu.shares.shape == (3, 4)


def test_deal_arrays_follow_the_specs():
    menu = DealSet.from_specs(catalogue())
    i = menu.index("four_phased")
    assert menu.delay[i] == pytest.approx(15.0)
    assert menu.up_front[i] == 1.0 and menu.treaty[i] == 1.0 and menu.renounced[i] == 0.0
    with pytest.raises(UserError, match="did you mean 'shelve'"):
        menu.index("shelv")
