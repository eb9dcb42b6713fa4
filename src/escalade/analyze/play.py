"""A person at the table: one actor's decisions taken by a user, every other move by the solution.

Play starts at the root and walks the tree. Chance moves and the other actors' moves are drawn from
the solved profile (one random stream per seed, so a replay of the same choices walks the same path);
at the user's actor's information sets the walk stops and asks. The user sees what that actor could
see: the path so far where the set is a single node, otherwise each history the set cannot tell apart
with its Bayes belief given the user's own earlier moves. At the end the debrief sets the path beside
the solution: how likely the equilibrium made it, the user's payoff against the actor's equilibrium
value, and for each of the user's decisions the solved probabilities and each action's expected payoff
(given the others' solved play and the solved play after it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from escalade.analyze.outcomes import path_moves
from escalade.game import CHANCE
from escalade.solve import Solution
from escalade.solve.verify import conditional_action_values, node_moves, node_reach


class PlayError(ValueError):
    """A choice the game does not offer, or an actor that cannot be played."""


@dataclass(frozen=True)
class Decision:
    """One of the user's turns: what could be seen, the actions, and what the solution does there."""

    infoset: str
    actions: list[str]
    histories: list[list[str]]  # the moves ("actor: move") leading to each node the actor cannot tell apart
    belief: list[float]  # per history, its probability given the others' solved play and the user's moves
    solved: list[float]  # the solution's probability of each action
    values: list[float]  # each action's expected payoff to the actor, given the solved play around it
    chosen: str | None = None  # None while the decision is pending


@dataclass(frozen=True)
class Ending:
    """Where play ended, set beside the solution's distribution of endings."""

    node: str
    moves: list[str]  # the whole path, hidden moves included
    payoffs: dict[str, float]
    attributes: dict[str, float]
    outcomes: list[str]  # the named outcomes this ending belongs to
    probability: float  # the solution's probability of this very ending
    value: float  # the user's payoff here
    solved_value: float  # the actor's expected payoff in the solution
    below: float  # probability, under the solution, of an ending that pays the actor less than this one


@dataclass(frozen=True)
class Play:
    actor: str
    decisions: list[Decision]  # the user's decisions so far, the pending one last
    ending: Ending | None  # set when play has ended

    @property
    def pending(self) -> Decision | None:
        return None if self.ending is not None else self.decisions[-1]

    @property
    def cost(self) -> float:
        """What the user's choices cost in expectation, decision by decision: the solved mix's expected
        payoff at each decision minus the chosen action's (0 when every choice matches the solution's
        value; the realised payoff adds the luck of the draws to this)."""
        made = [d for d in self.decisions if d.chosen is not None]
        return float(sum(np.dot(d.solved, d.values) - d.values[d.actions.index(d.chosen)] for d in made))


def playable(solution: Solution) -> list[str]:
    """The actors a user can play: those who move somewhere in the solved tree (not scripted away)."""
    tree = solution.game.tree
    return [tree.players[a] for a in tree.movers()]


def play(
    solution: Solution,
    actor: str,
    choices: Sequence[str],
    seed: int,
    outcomes: dict[str, np.ndarray] | None = None,
) -> Play:
    """Walk ``solution``'s tree with ``actor``'s moves taken from ``choices`` in order (action labels)
    and every other move drawn with ``seed``; ``outcomes`` maps a named outcome to its (T,) indicator."""
    tree, game = solution.game.tree, solution.game
    if isinstance(choices, str):  # one choice, not its letters
        choices = [choices]
    if actor not in playable(solution):
        known = ", ".join(playable(solution)) or "none"
        raise PlayError(f"{actor!r} makes no move here to play; the actors who do: {known}")
    me = tree.players.index(actor)
    profile = solution.profile[0]
    values = conditional_action_values(game, solution.profile[:1])[0]
    # the probability that chance and the other actors lead to each node, the actor's own moves counting 1
    own = (tree.parent >= 0) & (tree.player[tree.parent] == me)
    others = node_reach(tree, np.where(own[:, None], 1.0, node_moves(game, solution.profile[:1])))[:, 0]
    rng = np.random.default_rng(seed)
    node, taken, decisions = 0, 0, []
    while tree.n_children[node] > 0:
        children = tree.first_child[node] + np.arange(tree.n_children[node])
        if tree.player[node] == me:
            h = int(tree.infoset[node])
            start, count = tree.action_offset[h], tree.n_actions[h]
            actions = tree.action_labels[start : start + count]
            nodes = tree.infoset_nodes(h)
            weight = others[nodes]
            total = weight.sum()
            decision = Decision(
                infoset=tree.infoset_labels[h],
                actions=list(actions),
                histories=[path_moves(tree, int(n)) for n in nodes],
                belief=(weight / total if total > 0 else np.full(len(nodes), 1 / len(nodes))).tolist(),
                solved=profile[start : start + count].tolist(),
                values=values[start : start + count].tolist(),
            )
            if taken == len(choices):
                return Play(actor, [*decisions, decision], None)
            choice = choices[taken]
            if choice not in actions:
                raise PlayError(
                    f"choice {taken + 1} is {choice!r}; at {decision.infoset} choose one of {', '.join(actions)}"
                )
            decisions.append(dataclasses.replace(decision, chosen=choice))
            taken += 1
            node = int(children[actions.index(choice)])
            continue
        probs = game.chance_prob[0, children] if tree.player[node] == CHANCE else profile[tree.slot[children]]
        cumulative = np.cumsum(probs)
        node = int(
            children[min(np.searchsorted(cumulative, rng.random() * cumulative[-1], "right"), len(children) - 1)]
        )
    if taken < len(choices):
        raise PlayError(f"play ended after {taken} of your {len(choices)} choices; send only those")
    return Play(actor, decisions, _ending(solution, me, node, outcomes or {}))


def _ending(solution: Solution, me: int, node: int, outcomes: dict[str, np.ndarray]) -> Ending:
    tree, game = solution.game.tree, solution.game
    t = int(tree.terminal[node])
    mine = game.payoff[0, :, me]
    probs = solution.outcome_probs[0]
    return Ending(
        node=tree.node_labels[node],
        moves=path_moves(tree, node),
        payoffs=dict(zip(tree.players, game.payoff[0, t].tolist(), strict=True)),
        attributes=dict(zip(game.attributes, game.outcome[0, t].tolist(), strict=True)),
        outcomes=[name for name, members in outcomes.items() if members[t] > 0.5],
        probability=float(probs[t]),
        value=float(mine[t]),
        solved_value=float(solution.values[0, me]),
        below=float(probs[mine < mine[t]].sum()),
    )
