"""Stage 2: the compiled game. A scenario (or a Gambit file) in, flat numpy arrays out."""

from escalade.game.compile import (
    compile_game,
    compile_tree,
    event_matrix,
    outcome_paths,
    parameter_batch,
    policy_profile,
)
from escalade.game.efg import EfgError, parse_efg, read_efg, write_efg
from escalade.game.nfg import parse_nfg, read_nfg
from escalade.game.tree import (
    CHANCE,
    TERMINAL,
    Game,
    Tree,
    TreeBuilder,
    force,
    full_information,
    script,
    split_infosets,
)

__all__ = [
    "CHANCE",
    "TERMINAL",
    "EfgError",
    "Game",
    "Tree",
    "TreeBuilder",
    "compile_game",
    "compile_tree",
    "event_matrix",
    "force",
    "full_information",
    "outcome_paths",
    "parameter_batch",
    "parse_efg",
    "parse_nfg",
    "policy_profile",
    "read_efg",
    "read_nfg",
    "script",
    "split_infosets",
    "write_efg",
]
