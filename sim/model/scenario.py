"""The scenario file schema (TOML, validated with pydantic).

A scenario file holds everything a run needs and nothing else::

    schema_version = 1
    extends = "base.toml"          # optional: inherit and deep-merge another file

    [scenario]                     # name, year, description, sources
    [context]                      # the world both governments face
    [actors.japan]                 # Japan's government and its ratifier
    [actors.russia]                # Russia's government and its ratifier
    [deals]                        # the menu and the scenario's own deals
    [cooperative]                  # settings of the cooperative solvers
    [posture_game]                 # postures and outcome table of the posture game
    [sequential]                   # proposer, ratification, reputation costs, noise
    [alternating]                  # first proposer, breakdown risk, deadline
    [sweep]                        # method, samples, seed, parameters to sweep
    [observed]                     # history scenarios: the recorded outcome

Every model parameter is an uncertain number (see :mod:`sim.model.fields`): a
bare number or ``{ value = …, range = [low, high] }``. Parameters have no
defaults in code: a scenario states all of them or inherits them with
``extends``, so that each number is written, and cited, in a file.

Money is in US$ billion (present value, 2003 dollars) throughout: the unit of
utility. Island values are therefore willingness to pay (Japan) or to accept
(Russia) in US$ bn.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool, StrictInt, field_validator

from sim.model.deals import DEAL_ID, STATUS_QUO, DealSpec
from sim.model.fields import (
    DiscountFactor,
    Hazard,
    Index,
    Money,
    Probability,
    Rate,
    StrictModel,
    Weight,
    info,
    param,
)
from sim.model.postures import PostureGameTable

SCHEMA_VERSION = 1
MONEY = "US$ bn (2003)"


class ScenarioInfo(StrictModel):
    """What the scenario is and where its numbers come from."""

    name: str = info(
        "Identifier of the scenario (letters, digits, underscores).", pattern=r"^[A-Za-z0-9_\-]+$"
    )
    year: StrictInt = info("Year the scenario describes.", ge=1850, le=2100)
    description: str = info("What situation the scenario describes, in a sentence or two.")
    sources: list[str] = info(
        "Documents the numbers come from (the brief, data tables).", default_factory=list
    )


class Context(StrictModel):
    """The world both governments face: money on the table, China, the United States."""

    investment_on_table: Money = param(
        "Japanese capital a settlement would unlock (credits, pipeline financing).", MONEY
    )
    investment_realisation: Probability = param(
        "Share of that capital actually deployed: Siberia is unattractive to investors.",
        "fraction",
    )
    china_pressure: Index = param(
        "Strength of the 'rising China' motive to draw closer; 1 = the 2003 level.", "index"
    )
    us_pressure: Probability = param(
        "US opposition to a Japanese renunciation: 0 = quiet encouragement, "
        "1 = Dulles's 1956 threat over the Ryukyus.",
        "index in [0, 1]",
    )
    alliance_rivalry: Index = param(
        "How far a peace treaty with Moscow would loosen Japan's alliance with the United "
        "States, the motive of Khrushchev's 1956 offer; 1 = the 1956 level.",
        "index",
    )


class IslandValues(StrictModel):
    """A value for each island (what holding it is worth to one side)."""

    habomai: Money = param("Value of Habomai.", MONEY)
    shikotan: Money = param("Value of Shikotan.", MONEY)
    kunashiri: Money = param("Value of Kunashiri.", MONEY)
    etorofu: Money = param("Value of Etorofu.", MONEY)


class Japan(StrictModel):
    """Japan's government, and the ratifier (Diet under irredentist pressure) it must carry."""

    island_value: IslandValues = info(
        "Willingness to pay for the return of each island (symbolic and economic value)."
    )
    treaty_value: Money = param(
        "Value of a peace treaty that settles the border (all four returned, or the claim "
        "to the rest renounced).",
        MONEY,
    )
    open_treaty_cost: Money = param(
        "Cost of a peace treaty that leaves the border open: it gives away the claim's only lever.",
        MONEY,
    )
    investment_return: Rate = param(
        "Net benefit per US$ of capital deployed in Siberia, energy security included "
        "(can be negative: ventures gone awry).",
        "US$ per US$",
    )
    renunciation_cost: Money = param(
        "Domestic cost of renouncing the claim to islands not returned.", MONEY
    )
    no_progress_cost: Money = param(
        "Domestic cost of backing cooperation without territorial progress, at full "
        "cooperation (irredentists capture the issue).",
        MONEY,
    )
    china_benefit: Money = param(
        "Benefit of a full partnership with Russia against a rising China, at pressure 1.", MONEY
    )
    alliance_cost: Money = param(
        "Cost of a renunciation Washington opposes, at US pressure 1.", MONEY
    )
    patience: DiscountFactor = param(
        "Per-year discount factor ('in no hurry' is close to 1).", "per year"
    )
    ratifier_weight: Weight = param(
        "How much more the ratifier weighs nationalist costs than the government.", "multiplier"
    )


class Russia(StrictModel):
    """Russia's government, and the ratifier (Duma and nationalist opinion) it must carry."""

    island_value: IslandValues = info(
        "Value of keeping each island (strategic straits, garrison, residents)."
    )
    treaty_value: Money = param("Value of a peace treaty normalising relations.", MONEY)
    investment_return: Rate = param(
        "Return to Russia per US$ of Japanese capital deployed in Siberia and the Far East, "
        "before it pays back loans and Japan's return.",
        "US$ per US$",
    )
    nationalist_cost: Money = param(
        "Fixed domestic cost of any cession ('a humiliating surrender').", MONEY
    )
    nationalist_cost_per_area: Money = param(
        "Further domestic cost of ceding all four islands, scaled by the share of area ceded.",
        MONEY,
    )
    money_for_land_cost: Money = param(
        "Extra domestic cost when a cession comes with Japanese money ('blandishments'), "
        "at full cooperation.",
        MONEY,
    )
    china_benefit: Money = param(
        "Benefit of a full partnership with Japan to balance China, at pressure 1.", MONEY
    )
    us_forces_cost: Money = param(
        "Cost of ceding all of Russia's island value to a state that could host US forces "
        "(waived by a demilitarisation clause).",
        MONEY,
    )
    alliance_loosening_value: Money = param(
        "Value of a peace treaty that loosens Japan's alliance with the United States, at "
        "alliance rivalry 1.",
        MONEY,
    )
    patience: DiscountFactor = param("Per-year discount factor.", "per year")
    ratifier_weight: Weight = param(
        "How much more the ratifier weighs nationalist costs than the government.", "multiplier"
    )


class Actors(StrictModel):
    """The two governments."""

    japan: Japan = info("Japan's government and ratifier.")
    russia: Russia = info("Russia's government and ratifier.")


def _offers_a_deal(menu: list[str] | None) -> list[str] | None:
    """A menu, unless it holds no deal besides the status quo (nothing to negotiate)."""
    if menu is not None and all(deal == STATUS_QUO for deal in menu):
        raise ValueError(
            f"a menu needs at least one deal besides '{STATUS_QUO}' (the disagreement point, "
            "always included); omit the key for the whole catalogue"
        )
    return menu


class Deals(StrictModel):
    """The deals a scenario considers."""

    menu: list[str] | None = info(
        "Deal ids to consider, in order; default: the whole catalogue, then the custom deals. "
        "'status_quo' is always included, first.",
        default=None,
    )
    custom: dict[str, DealSpec] = info(
        "The scenario's own deals, by id (lower-case letters, digits, underscores).",
        default_factory=dict,
    )

    _menu_offers_a_deal = field_validator("menu")(_offers_a_deal)

    @field_validator("custom")
    @classmethod
    def _ids_are_identifiers(cls, custom: dict[str, DealSpec]) -> dict[str, DealSpec]:
        for deal_id in custom:
            if not DEAL_ID.match(deal_id):
                raise ValueError(
                    f"deal id '{deal_id}' should be lower-case letters, digits and underscores"
                )
        return custom


class Cooperative(StrictModel):
    """Settings of the cooperative solvers."""

    require_ratification: StrictBool = info(
        "Solutions consider only deals inside both ratifiers' win-sets (Putnam's two-level "
        "game); false: only the governments' individual rationality counts.",
        default=True,
    )


Side = Literal["japan", "russia"]


class SidesCost(StrictModel):
    """A cost for each side."""

    japan: Money = param("Japan's cost.", MONEY)
    russia: Money = param("Russia's cost.", MONEY)


class Sequential(StrictModel):
    """The sequential two-level game: offer, response, ratification, performance."""

    proposer: Side = info("Who makes the offer (the other order is reported too).", default="japan")
    ratification: StrictBool = info(
        "Whether both ratifiers must pass a deal (Putnam's two-level game).", default=True
    )
    reputation_cost: SidesCost = info(
        "What reneging on a signed and ratified deal costs the side that reneges."
    )
    ratification_noise: Money = param(
        "Scale of ratifier noise: a ratifier passes a deal with logistic probability in its "
        "utility margin divided by this; 0 = deterministic.",
        MONEY,
    )
    menu: list[str] | None = info(
        "Deals the proposer may offer, in order (default: the scenario's menu).", default=None
    )

    _menu_offers_a_deal = field_validator("menu")(_offers_a_deal)


class Alternating(StrictModel):
    """Alternating offers over a deal plus a money transfer (Rubinstein with linkage)."""

    proposer: Side = info("Who makes the first offer.", default="japan")
    breakdown_risk: Hazard = param(
        "Per-round probability that talks collapse for good (irredentists capture the issue, "
        "a leader falls); a round is a year, so patience applies per round.",
        "probability per round",
    )
    deadline: StrictInt | None = info(
        "Number of rounds before talks end in the status quo ('a treaty by 2000'); "
        "omit for no deadline.",
        default=None,
        ge=1,
        le=1000,
    )
    require_ratification: StrictBool = info(
        "Only deals both ratifiers would pass may be agreed.", default=True
    )
    transfer_cap: Index = param(
        "Most Japan pays Russia on top of a deal, as a multiple of the investment on the "
        "table (Japan's budget for a transfer).",
        "multiple of context.investment_on_table",
    )


SAMPLING_METHODS = ("grid", "oat", "mc", "lhs", "sobol", "morris")


class Sweep(StrictModel):
    """The default sweep of ``kurilsim sweep`` for this scenario."""

    method: Literal["grid", "oat", "mc", "lhs", "sobol", "morris"] = info(
        "Sampling method: full factorial grid, one-at-a-time, Monte Carlo, Latin hypercube, "
        "Sobol/Saltelli or Morris.",
        default="lhs",
    )
    samples: StrictInt = info(
        "Number of draws (Sobol: base samples; Morris: trajectories).",
        default=1000,
        ge=1,
        le=100_000_000,
    )
    seed: StrictInt = info("Seed of the sampler: same seed, same results.", default=2003, ge=0)
    chunk_size: StrictInt = info("Draws evaluated at a time.", default=10_000, ge=1, le=10_000_000)
    posture_equilibria: Literal["all", "pure"] = info(
        "Posture-game equilibria a sweep averages over to name the posture game's deal: "
        "the pure ones (fast; every extreme equilibrium where a draw has no pure one), "
        "or every extreme equilibrium (exact, about 20 us more per draw).",
        default="pure",
    )
    parameters: dict[str, dict[str, Any]] | None = info(
        "Parameters to sweep by dotted path, each { range = [a, b] } (uniform), "
        '{ distribution = "normal", mean, sd, range } or { distribution = "triangular", '
        "range, mode }, with the range inside the parameter's bounds; a setting such as "
        "alternating.proposer is swept over { values = [...] }, each one the setting "
        "admits. Default: every parameter with a range, uniform over it.",
        default=None,
    )


ACTOR_ROLES = ("japan_government", "russia_government", "japan_ratifier", "russia_ratifier")
"""The actors a recorded stance can name."""


class Stance(StrictModel):
    """One actor's recorded stance on one deal."""

    deal: str = info("Deal id (on the episode's menu).")
    by: Literal["japan_government", "russia_government", "japan_ratifier", "russia_ratifier"] = (
        info("Who took the stance: one of the governments or one of the ratifiers.")
    )
    source: str = info("The timeline row or sentence of the brief the stance rests on.")


class Offer(StrictModel):
    """A deal a government put on the table (it accepts its own offer)."""

    deal: str = info("Deal id (on the episode's menu).")
    by: Literal["japan", "russia"] = info("The government that offered it.")
    source: str = info("The timeline row or sentence of the brief the offer rests on.")


class Observed(StrictModel):
    """What actually happened in a historical episode (history scenarios only)."""

    deal: str = info("Deal id of the recorded outcome ('status_quo' when talks produced nothing).")
    why: str = info("The recorded reason, in a sentence.")
    source: str = info("Where the record comes from (timeline row, brief).")
    calibration: StrictBool = info(
        "The episode was used to set the shared preferences (the 2003 baseline describes "
        "it): the backtest reports it apart from the skill figures.",
        default=False,
    )
    refused: list[Stance] = info(
        "Who refused which deal, as the record shows (a government turning it down, a "
        "ratifier blocking it, a government withdrawing its own offer).",
        default_factory=list,
    )
    accepted: list[Stance] = info(
        "Who accepted which deal, as the record shows (signed, ratified, agreed to).",
        default_factory=list,
    )
    offered: list[Offer] = info(
        "Which government offered which deal (an offer means its government accepts it).",
        default_factory=list,
    )


class Scenario(StrictModel):
    """A complete, validated scenario."""

    schema_version: StrictInt = info(
        f"Version of this file format; the current one is {SCHEMA_VERSION}.",
        ge=SCHEMA_VERSION,
        le=SCHEMA_VERSION,
    )
    extends: str | None = info(
        "Path of a scenario file this one builds on, relative to this file; tables merge "
        "key by key, this file's values win.",
        default=None,
    )
    scenario: ScenarioInfo = info("Name, year, description and sources.")
    context: Context = info("The world both governments face.")
    actors: Actors = info("Japan and Russia.")
    deals: Deals = Field(default_factory=Deals, description="The menu of deals.")
    cooperative: Cooperative = Field(
        default_factory=Cooperative, description="How the cooperative solvers choose among deals."
    )
    sequential: Sequential = info("The sequential two-level game with commitment.")
    alternating: Alternating = info("Alternating offers with a money transfer.")
    sweep: Sweep = Field(default_factory=Sweep, description="The default sweep (kurilsim sweep).")
    observed: Observed | None = info(
        "The recorded outcome of a historical episode, for `kurilsim backtest`.", default=None
    )
    posture_game: PostureGameTable = Field(
        default_factory=PostureGameTable,
        description="The negotiating-posture game: postures in play and the outcome table "
        "(default: the shipped game, see `kurilsim run --solver posture`).",
    )


def json_schema() -> dict[str, object]:
    """JSON Schema of scenario files, with every field's description, unit and bounds."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kurilsim scenario file"
    return schema
