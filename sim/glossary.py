"""The terms a briefing uses, in plain words (the pack's ``glossary.md`` and last PDF page).

``docs/glossary.md`` is generated from :data:`GLOSSARY` (``docs/generate_reference.py``),
so the documentation and every briefing pack say the same thing.
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "Northern Territories / southern Kurils": (
        "The four disputed islands north-east of Hokkaido, by their Japanese and Russian "
        "names: Etorofu / Iturup, Kunashiri / Kunashir, Shikotan, and the Habomai group "
        "(Khabomai). Japan calls them the Northern Territories; Russia, the southern Kurils."
    ),
    "Deal": (
        "One possible settlement: which islands change hands and when, whether a peace "
        "treaty is signed, whether Japan keeps or renounces its claim, how much Japanese "
        "investment it unlocks and when the money is paid. The status quo (no agreement) is "
        "the deal every other is compared with."
    ),
    "Utility, margin": (
        "What a deal is worth to a side, in US$ bn (2003 dollars), relative to the status "
        "quo. A margin is a side's gain over the status quo; a deal is accepted by a side "
        "whose margin is positive."
    ),
    "Ratifier": (
        "The domestic audience a government must carry: Japan's Diet under irredentist "
        "pressure, Russia's Duma and nationalist opinion. Ratifiers weigh nationalist costs "
        "more heavily than their governments."
    ),
    "Win-set": (
        "The deals a side's ratifier would accept (Putnam's two-level game). A settlement must "
        "lie in both sides' win-sets."
    ),
    "Feasible": (
        "A deal both governments prefer to the status quo (and, when ratification is "
        "required, both ratifiers too). Cooperative solutions choose among feasible deals."
    ),
    "Holds up": (
        "A deal holds up when both governments prefer it to no deal, both ratifiers accept "
        "it, and the side that must perform later (hand over islands, pay money) gains "
        "nothing by reneging."
    ),
    "Pareto optimal": (
        "A deal no other deal improves for one side without making the other worse off."
    ),
    "Nash bargaining solution": (
        "The feasible deal with the largest product of the two sides' gains; the asymmetric "
        "version weighs the more patient side's gain more."
    ),
    "Lottery": (
        "A mix of two deals chosen by chance with given probabilities; some solutions do "
        "better with a lottery than with any single deal. A device of the theory, not a "
        "proposal."
    ),
    "SPE (subgame-perfect equilibrium)": (
        "The outcome of the sequential game (offer, answer, ratification, performance) when "
        "every actor, at every step, makes the choice best for it given what will follow."
    ),
    "Posture game": (
        "Each government chooses a negotiating posture (e.g. insist on four, shelve); a table "
        "maps each pair of postures to a deal. Its Nash equilibria are the pairs neither side "
        "wants to leave alone."
    ),
    "Alternating offers": (
        "The sides take turns proposing a deal and a money transfer until one is accepted; "
        "patience and the risk that talks break down set who gets how much (Rubinstein)."
    ),
    "Draw": (
        "One set of values for every uncertain assumption, taken from the ranges in the "
        "scenario file. A sweep evaluates many draws."
    ),
    "Sweep, hold-up rate": (
        "A sweep evaluates every solver on many draws (Latin hypercube by default). A deal's "
        "hold-up rate is the share of draws in which it holds up: a share of the judgement "
        "ranges, not a probability that events turn out so; its interval is sampling error "
        "only."
    ),
    "Sobol index": (
        "How much of an outcome's variation across a sweep one assumption explains: alone "
        "(first-order, S1) or with its interactions (total, ST)."
    ),
    "Tipping point": (
        "The value of one assumption, all others at their scenario values, at which a "
        "prediction changes (for example, where shelving stops holding up)."
    ),
    "Scenario hash": (
        "A fingerprint (SHA-256) of the scenario after every `extends` and override: two "
        "results with the same hash come from the same numbers."
    ),
}
"""Term -> meaning, in reading order."""


def glossary_markdown() -> str:
    """The glossary as a Markdown page."""
    lines = [
        "# Glossary",
        "",
        "The terms kurilsim's tables, charts and briefings use, in plain words.",
        "",
    ]
    for term, meaning in GLOSSARY.items():
        lines += [f"**{term}.** {meaning}", ""]
    return "\n".join(lines)
