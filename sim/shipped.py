"""The scenarios shipped inside the package: the 2003 baseline, the history, a template.

A user who installed kurilsim with pip has no clone of the project and so no
``scenarios/`` folder. The same files are package data (``sim/data/scenarios``), so:

* ``kurilsim init [FOLDER]`` writes them into a folder of the user's (refusing to
  overwrite a file there unless ``--force``);
* a scenario argument that names no existing file but a shipped scenario
  (``baseline_2003``, ``baseline_2003.toml``, ``history/1956_joint_declaration``) runs
  the shipped one, and the command says so;
* the briefing's history chart uses the history scenarios beside the scenario file
  when there are any, else the shipped ones, and the pack says which.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sim.errors import UserError

TEMPLATE = "template.toml"


def scenarios_dir() -> Path:
    """The folder of shipped scenarios (inside the installed package)."""
    return Path(str(resources.files("sim.data").joinpath("scenarios")))


def history_dir() -> Path:
    """The folder of shipped history scenarios."""
    return scenarios_dir() / "history"


def shipped_files() -> list[Path]:
    """Every shipped file, relative to :func:`scenarios_dir` (scenarios and READMEs)."""
    root = scenarios_dir()
    return sorted(
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".toml", ".md") and "__pycache__" not in p.parts
    )


def resolve_scenario(path: Path) -> tuple[Path, bool]:
    """``path`` if it exists, else the shipped scenario it names; and whether it is shipped.

    Examples
    --------
    >>> resolve_scenario(Path("baseline_2003"))[0].name, resolve_scenario(Path("baseline"))[1]
    ('baseline_2003.toml', False)
    """
    if path.exists() or path.is_absolute():
        return path, False
    name = path.as_posix().removeprefix("scenarios/")
    candidate = scenarios_dir() / (name if name.endswith(".toml") else f"{name}.toml")
    if candidate.is_file():
        return candidate, True
    return path, False


def write_shipped(folder: Path, *, force: bool = False) -> list[Path]:
    """Copy the shipped scenarios into ``folder``; refuse to overwrite unless ``force``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    UserError
        If a file of the same name exists and ``force`` is false (nothing is written), or
        the folder cannot be written.
    """
    root = scenarios_dir()
    names = shipped_files()
    clashes = [folder / n for n in names if (folder / n).exists()]
    if clashes and not force:
        shown = ", ".join(str(p) for p in clashes[:3]) + (" …" if len(clashes) > 3 else "")
        raise UserError(
            f"would overwrite {len(clashes)} file(s) ({shown}); add --force to replace them "
            "with the shipped versions, or choose another folder",
            source=str(folder),
        )
    from sim.atomic import write_text

    written = []
    try:
        for name in names:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            write_text(target, (root / name).read_text(encoding="utf-8"))
            written.append(target)
    except OSError as error:
        raise UserError(
            f"cannot write the scenarios ({error.strerror})", source=str(folder)
        ) from None
    return written


def missing_scenario(path: Path) -> UserError:
    """The error for a scenario argument that names no file, with the shipped names."""
    return UserError(
        "file not found (a shipped scenario can be named instead: baseline_2003, template "
        "or history/<episode>; `kurilsim init` writes them all into a folder)",
        source=str(path),
    )
