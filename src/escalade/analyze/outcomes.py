"""Read a solution as an analyst would: the likely paths of play and where they end, which choices
two policies change, and where backward induction broke a tie."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from escalade.game import Tree
from escalade.simulate import tie_labels
from escalade.solve import Solution
from escalade.solve.verify import level_plans, move_probabilities, node_values

# A path is the single most probable one in a draw when it beats the runner-up by more than this:
# an absolute margin, as probabilities are on one scale, so that rounding does not split a tie.
MODAL_MARGIN = 1e-9


@dataclass(frozen=True)
class PathRow:
    probability: float
    moves: list[str]  # "actor: move" from the root to the end
    attributes: dict[str, float]  # outcome attributes at the end


def likely_paths(solution: Solution, k: int = 0, top: int = 8, floor: float = 1e-9) -> list[PathRow]:
    """The ``top`` most probable complete paths of draw ``k`` (ties in tree order)."""
    tree = solution.game.tree
    probs = solution.outcome_probs[k]
    order = np.argsort(-probs, kind="stable")
    rows = []
    for t in order[:top]:
        if probs[t] <= floor:
            break
        moves = path_moves(tree, int(tree.terminal_nodes[t]))
        attributes = dict(zip(solution.game.attributes, solution.game.outcome[k, t].tolist(), strict=True))
        rows.append(PathRow(float(probs[t]), moves, attributes))
    return rows


def path_moves(tree: Tree, node: int) -> list[str]:
    """The moves from the root to ``node``, each as "actor: move" ("chance: …" for nature)."""
    path = tree.path_to(node)
    return [f"{tree.mover(parent)}: {tree.move_labels[child]}" for parent, child in itertools.pairwise(path)]


@dataclass(frozen=True)
class PathShare:
    """One complete path across all draws."""

    mean: float  # mean probability over the draws
    low: float  # 5th percentile of its probability in a draw
    high: float  # 95th percentile
    modal_share: float  # share of draws in which it is the single most probable path
    moves: list[str]  # "actor: move" from the root to the end


def path_shares(tree: Tree, outcome_probs: np.ndarray, top: int = 8, floor: float = 1e-9) -> list[PathShare]:
    """The ``top`` paths with the largest mean probability across the draws of ``outcome_probs`` (n, T).

    A path is the single most probable one in a draw when no other comes within ``MODAL_MARGIN``
    of it; in a draw where two paths tie for the lead, neither counts.
    """
    n, n_terminals = outcome_probs.shape
    mean = outcome_probs.mean(axis=0)
    low, high = np.percentile(outcome_probs, [5.0, 95.0], axis=0)
    leader = outcome_probs.argmax(axis=1)  # (n,)
    if n_terminals > 1:
        runner_up, first = np.partition(outcome_probs, -2, axis=1)[:, -2:].T
        single = first - runner_up > MODAL_MARGIN
    else:
        single = np.ones(n, dtype=bool)
    modal = np.bincount(leader[single], minlength=n_terminals) / n
    rows = []
    for t in np.argsort(-mean, kind="stable")[:top]:
        if mean[t] <= floor:
            break
        moves = path_moves(tree, int(tree.terminal_nodes[t]))
        rows.append(PathShare(float(mean[t]), float(low[t]), float(high[t]), float(modal[t]), moves))
    return rows


@dataclass(frozen=True)
class ChoiceDifference:
    """An information set whose leading action differs between two policies' solutions."""

    actor: str
    infoset: str  # its label
    action_a: str  # the leading action under a, the most common among the draws that differ
    action_b: str  # the same under b
    share_differing: float  # of the draws in which the set is reached under a or b
    share_reached: float  # of all draws: the set is reached under a or b


def full_profile(profile: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """(K, S) a scripted game's solved ``profile`` on the slots of the unscripted tree.

    ``fixed`` (S,) is the policy's profile (:func:`escalade.game.policy_profile`: NaN where the
    actors decide); the scripted slots stay NaN, so that :func:`differing_choices` compares only the
    choices the actors made. Node numbers do not change with a script, so reach arrays need no lift.
    """
    free = np.isnan(fixed)
    full = np.full((profile.shape[0], fixed.size), np.nan)
    full[:, free] = profile
    return full


def differing_choices(
    tree: Tree,
    profile_a: np.ndarray,
    profile_b: np.ndarray,
    reached_a: np.ndarray,
    reached_b: np.ndarray,
    threshold: float = 0.5,
) -> list[ChoiceDifference]:
    """The information sets at which two solutions of the same draws lead with different actions.

    ``profile_a``, ``profile_b`` are (n, S) on ``tree``'s slots (NaN where a policy scripts: such
    sets are skipped); ``reached_a``, ``reached_b`` are (n, I), where play reaches each set
    (:func:`escalade.simulate.reached_sets`). In a draw, the set's choice differs
    when its most probable action (the first listed among equals) differs between a and b and the
    two action distributions are at least ``threshold`` apart in total variation, so that a mixed
    choice tipping from 0.51 to 0.49 is no change of mind (``threshold=0`` compares leaders only).
    Only draws in which the set is reached under a or b count. Rows are sorted by the share of
    those draws that differ, largest first; sets that never differ are left out.
    """
    rows = []
    for h in range(tree.n_infosets):
        start, count = tree.action_offset[h], tree.n_actions[h]
        probs_a, probs_b = profile_a[:, start : start + count], profile_b[:, start : start + count]
        if np.isnan(probs_a).any() or np.isnan(probs_b).any():
            continue
        reached = reached_a[:, h] | reached_b[:, h]
        lead_a, lead_b = probs_a.argmax(axis=1), probs_b.argmax(axis=1)
        apart = 0.5 * np.abs(probs_a - probs_b).sum(axis=1) >= threshold
        differ = reached & (lead_a != lead_b) & apart
        if not differ.any():
            continue
        labels = tree.action_labels[start : start + count]
        rows.append(
            ChoiceDifference(
                actor=tree.players[tree.infoset_player[h]],
                infoset=tree.infoset_labels[h],
                action_a=labels[int(np.bincount(lead_a[differ]).argmax())],
                action_b=labels[int(np.bincount(lead_b[differ]).argmax())],
                share_differing=float(differ.sum() / reached.sum()),
                share_reached=float(reached.mean()),
            )
        )
    return sorted(rows, key=lambda row: -row.share_differing)


@dataclass(frozen=True)
class TieRow:
    """A decision node at which backward induction broke a tie, and what the other choice gives."""

    actor: str  # the mover
    node: str  # the scenario node
    history: list[str]  # "actor: move" from the root to the node
    chosen: str  # the action taken: the first listed among the near-best
    alternative: str  # the best other action, tied with it for the mover
    share: float  # of all draws: this tie, at this node, reached with positive probability
    reach: float  # mean probability of reaching the node in those draws
    chosen_values: dict[str, float]  # each actor's mean value from the node on, as solved
    alternative_values: dict[str, float]  # the same had the mover taken the alternative there, the rest unchanged


def tie_report(solution: Solution) -> list[TieRow]:
    """Where backward induction broke a tie on the path of play, and what the tied alternative gives.

    Backward induction (:func:`escalade.solve.solve_spe`) takes, among the actions within its
    tolerance of the mover's best, the first listed in the scenario; ``solution.ties`` (K, N) marks
    where that rule decided. Per node and pair (chosen, alternative), in the draws in which the node
    is reached with positive probability: the actors' values from that node on as solved and had
    the mover taken the alternative (the tied action the mover values most), everyone else's
    choices unchanged. Multiplying a difference by ``reach`` gives its effect on the whole game.
    Rows are sorted by share, largest first.
    """
    if solution.ties is None:
        raise ValueError(f"this solution ({solution.method}) does not record ties; backward induction (solve_spe) does")
    game, tree = solution.game, solution.game.tree
    values = node_values(game, move_probabilities(game, solution.profile), level_plans(tree))  # (K, N, A)
    tied = solution.ties & (solution.reach > 0)  # (K, N)
    rows = []
    for node in np.flatnonzero(tied.any(axis=0)):
        draws = np.flatnonzero(tied[:, node])
        mover, count = int(tree.player[node]), int(tree.n_children[node])
        start = tree.action_offset[tree.infoset[node]]
        children = tree.first_child[node] + np.arange(count)
        chosen = solution.profile[draws, start : start + count].argmax(axis=1)  # (d,)
        own = values[draws][:, children, mover]  # (d, B) each action's value to the mover
        others = np.where(np.arange(count)[None, :] == chosen[:, None], -np.inf, own)
        alternative = others.argmax(axis=1)
        for (c, a), _ in Counter(zip(chosen.tolist(), alternative.tolist(), strict=True)).most_common():
            these = draws[(chosen == c) & (alternative == a)]
            rows.append(
                TieRow(
                    actor=tree.players[mover],
                    node=tree.node_labels[node],
                    history=path_moves(tree, int(node)),
                    chosen=tree.move_labels[children[c]],
                    alternative=tree.move_labels[children[a]],
                    share=len(these) / solution.reach.shape[0],
                    reach=float(solution.reach[these, node].mean()),
                    chosen_values=_by_actor(tree, values[these, children[c]].mean(axis=0)),
                    alternative_values=_by_actor(tree, values[these, children[a]].mean(axis=0)),
                )
            )
    return sorted(rows, key=lambda row: -row.share)


def tie_shares(tree: Tree, tied: np.ndarray) -> dict[str, float]:
    """Per decision node (by its scenario name, over all its copies), the share of draws in which
    backward induction broke a payoff tie there with the node reached; ``tied`` is (n, L) across draws
    (:func:`escalade.simulate.tied_nodes`). Largest first; nodes without a tie are left out."""
    shares = {label: float(share) for label, share in zip(tie_labels(tree), tied.mean(axis=0), strict=True) if share}
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def _by_actor(tree: Tree, values: np.ndarray) -> dict[str, float]:
    return dict(zip(tree.players, values.tolist(), strict=True))


def paths_frame(solution: Solution, k: int = 0, top: int = 8) -> pd.DataFrame:
    """The likely paths of draw ``k`` as a table: probability, moves, then outcome attributes."""
    rows = [
        {"probability": row.probability, "path": " → ".join(row.moves), **row.attributes}
        for row in likely_paths(solution, k, top)
    ]
    return pd.DataFrame(rows)


def profile_frame(solution: Solution, k: int = 0) -> pd.DataFrame:
    """Draw ``k``'s behaviour profile: one row per (actor, information set, action), the information sets
    named as in the labelled profile (unique per actor: :meth:`escalade.game.Tree.infoset_names`)."""
    tree = solution.game.tree
    names = tree.infoset_names()
    rows = [
        {
            "actor": tree.players[tree.infoset_player[h]],
            "infoset": names[h],
            "action": tree.action_labels[tree.action_offset[h] + a],
            "probability": float(solution.profile[k, tree.action_offset[h] + a]),
        }
        for h in range(tree.n_infosets)
        for a in range(tree.n_actions[h])
    ]
    return pd.DataFrame(rows, columns=["actor", "infoset", "action", "probability"])
