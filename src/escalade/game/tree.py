"""The compiled game: a tree stored as flat numpy arrays, and the numbers filled in per draw.

Nodes are numbered breadth first, so parents come before children, the children of a node are
contiguous (``first_child[n] .. first_child[n] + n_children[n] - 1``) and a backward pass is a
loop over depth levels from the deepest up. The move into node ``n`` is identified with ``n``
itself: ``action[n]`` is its index among its parent's moves and ``chance_prob[:, n]`` its
probability when the parent is a chance node.

Information sets are numbered player by player, in the order Gambit uses for the same game: the
order in which they first appear in a depth-first walk (the order of an ``.efg`` file). A behaviour
profile is a flat vector of action probabilities, infoset after infoset: infoset ``h`` owns slots
``action_offset[h] .. action_offset[h] + n_actions[h] - 1``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace

import numpy as np

CHANCE = -1
TERMINAL = -2


def action_offsets(n_actions: np.ndarray) -> np.ndarray:
    """First profile slot of each infoset, given each infoset's number of actions."""
    return np.concatenate([[0], np.cumsum(n_actions)[:-1]]).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Tree:
    """The structure of a game: everything that does not depend on a parameter draw."""

    players: list[str]  # actor ids, (A,)
    parent: np.ndarray  # (N,) parent node, -1 at the root
    player: np.ndarray  # (N,) actor index, CHANCE or TERMINAL
    infoset: np.ndarray  # (N,) infoset index, -1 at chance and terminal nodes
    first_child: np.ndarray  # (N,) -1 at terminals
    n_children: np.ndarray  # (N,)
    action: np.ndarray  # (N,) index of the move into n among its parent's moves, -1 at root
    depth: np.ndarray  # (N,)
    terminal: np.ndarray  # (N,) terminal index, -1 elsewhere
    terminal_nodes: np.ndarray  # (T,) node of each terminal
    infoset_player: np.ndarray  # (I,)
    action_offset: np.ndarray  # (I,) first profile slot of each infoset
    n_actions: np.ndarray  # (I,)
    node_labels: list[str]  # (N,) the scenario node (or .efg node name) each node copies
    move_labels: list[str]  # (N,) name of the move into each node ("" at the root)
    infoset_labels: list[str]  # (I,)
    action_labels: list[str]  # (S,) one per profile slot
    scripted: np.ndarray | None = None  # (N,) actor whose policy a chance node plays, else -1
    levels: list[np.ndarray] = field(init=False)  # nodes at each depth
    # (N,) the profile slot of the move into each node, -1 where the parent is not a player
    slot: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        # derived once here: every solver and regret check reads them, many times per solve
        depth = self.depth
        levels = [np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1)]
        object.__setattr__(self, "levels", levels)
        slots = np.full(len(self.parent), -1)
        has_parent = self.parent >= 0
        owner = self.infoset[self.parent[has_parent]]
        moved = owner >= 0
        index = np.flatnonzero(has_parent)[moved]
        slots[index] = self.action_offset[owner[moved]] + self.action[index]
        object.__setattr__(self, "slot", slots)

    @property
    def n_nodes(self) -> int:
        return len(self.parent)

    @property
    def n_terminals(self) -> int:
        return len(self.terminal_nodes)

    @property
    def n_infosets(self) -> int:
        return len(self.infoset_player)

    @property
    def n_slots(self) -> int:
        return len(self.action_labels)

    def infoset_nodes(self, h: int) -> np.ndarray:
        return np.flatnonzero(self.infoset == h)

    def is_perfect_information(self) -> bool:
        counts = np.bincount(self.infoset[self.infoset >= 0], minlength=self.n_infosets)
        return bool(np.all(counts == 1))

    def movers(self) -> list[int]:
        """The players who decide somewhere in the tree (a policy's scripted actor may decide nowhere)."""
        return [player for player in range(len(self.players)) if np.any(self.infoset_player == player)]

    def mover(self, node: int) -> str:
        """Who moves at ``node``: an actor id, "chance", or "ACTOR (policy)" where a policy plays."""
        player = int(self.player[node])
        if player >= 0:
            return self.players[player]
        if self.scripted is not None and self.scripted[node] >= 0:
            return f"{self.players[self.scripted[node]]} (policy)"
        return "chance" if player == CHANCE else "end"

    def infoset_names(self) -> list[str]:
        """A name per information set, unique among its player's: its label, or where several share the
        label (copies of one scenario node), the label and the moves leading to its first node."""
        names = list(self.infoset_labels)
        for player in range(len(self.players)):
            mine = np.flatnonzero(self.infoset_player == player)
            counts: dict[str, int] = {}
            for h in mine:
                counts[names[h]] = counts.get(names[h], 0) + 1
            for h in mine:
                if counts[self.infoset_labels[h]] > 1:
                    first = int(self.infoset_nodes(h)[0])
                    moves = ", ".join(self.move_labels[n] for n in self.path_to(first)[1:]) or "the start"
                    names[h] = f"{self.infoset_labels[h]} after {moves}"
        return names

    def path_to(self, node: int) -> list[int]:
        """Nodes from the root to ``node``, inclusive."""
        path = [node]
        while self.parent[path[-1]] >= 0:
            path.append(int(self.parent[path[-1]]))
        return path[::-1]

    def preorder(self) -> list[int]:
        """Nodes in depth-first (Gambit file) order."""
        order, stack = [], [0]
        while stack:
            node = stack.pop()
            order.append(node)
            start, count = self.first_child[node], self.n_children[node]
            stack.extend(range(start + count - 1, start - 1, -1))
        return order


@dataclass(frozen=True, eq=False)
class Game:
    """A tree plus the numbers of K parameter draws."""

    tree: Tree
    chance_prob: np.ndarray  # (K, N) probability of the move into n; 1 where parent is no chance
    payoff: np.ndarray  # (K, T, A) utility of each actor at each terminal
    outcome: np.ndarray  # (K, T, M) outcome attributes at each terminal (M may be 0)
    attributes: list[str]  # (M,)
    title: str = ""

    @property
    def n_draws(self) -> int:
        return self.payoff.shape[0]

    def draw(self, k: int) -> Game:
        """The game of draw ``k`` alone (K = 1)."""
        return Game(
            self.tree,
            self.chance_prob[k : k + 1],
            self.payoff[k : k + 1],
            self.outcome[k : k + 1],
            self.attributes,
            self.title,
        )


@dataclass
class TreeBuilder:
    """Collects nodes in depth-first order, then lays them out breadth first as a :class:`Tree`.

    ``infoset_key`` identifies an information set (nodes sharing a key share an infoset).
    Infosets are ordered by player, then by first appearance in the depth-first order of ``add``.
    """

    players: list[str]
    _parent: list[int] = field(default_factory=list)
    _player: list[int] = field(default_factory=list)
    _key: list[Hashable | None] = field(default_factory=list)
    _label: list[str] = field(default_factory=list)
    _move: list[str] = field(default_factory=list)
    _children: list[list[int]] = field(default_factory=list)
    _infoset_label: dict[Hashable, str] = field(default_factory=dict)
    _actions: dict[Hashable, list[str]] = field(default_factory=dict)

    def add(
        self,
        parent: int,
        move: str,
        player: int,
        label: str,
        infoset_key: Hashable | None = None,
        infoset_label: str = "",
        actions: list[str] | None = None,
    ) -> int:
        """Add a node (in depth-first order); return its depth-first index."""
        index = len(self._parent)
        self._parent.append(parent)
        self._player.append(player)
        self._key.append(infoset_key)
        self._label.append(label)
        self._move.append(move)
        self._children.append([])
        if parent >= 0:
            self._children[parent].append(index)
        if infoset_key is not None and infoset_key not in self._actions:
            self._infoset_label[infoset_key] = infoset_label
            self._actions[infoset_key] = list(actions or [])
        return index

    def build(self) -> Tree:
        # breadth-first layout: children of each node contiguous, parents first
        order = [0]
        for node in order:
            order.extend(self._children[node])
        new = np.empty(len(order), dtype=np.int64)
        new[order] = np.arange(len(order))
        n = len(order)
        parent = np.full(n, -1)
        player = np.empty(n, dtype=np.int64)
        first_child = np.full(n, -1)
        n_children = np.zeros(n, dtype=np.int64)
        action = np.full(n, -1)
        depth = np.zeros(n, dtype=np.int64)
        for old in order:
            i = new[old]
            player[i] = self._player[old]
            children = self._children[old]
            if self._parent[old] >= 0:
                parent[i] = new[self._parent[old]]
                depth[i] = depth[parent[i]] + 1
            if children:
                first_child[i] = new[children[0]]
                n_children[i] = len(children)
                for position, child in enumerate(children):
                    action[new[child]] = position
        # infosets: player by player, each player's in order of first depth-first appearance
        first_seen: dict[Hashable, int] = {}
        for old, key in enumerate(self._key):
            if key is not None and self._player[old] >= 0:
                first_seen.setdefault(key, old)
        keys = sorted(first_seen, key=lambda k: (self._player[first_seen[k]], first_seen[k]))
        index_of = {key: h for h, key in enumerate(keys)}
        infoset = np.full(n, -1)
        for old, key in enumerate(self._key):
            if key is not None and self._player[old] >= 0:
                infoset[new[old]] = index_of[key]
        n_actions = np.array([len(self._actions[key]) for key in keys], dtype=np.int64)
        offsets = action_offsets(n_actions)
        terminal_nodes = np.flatnonzero(player == TERMINAL)
        terminal = np.full(n, -1)
        terminal[terminal_nodes] = np.arange(len(terminal_nodes))
        return Tree(
            players=list(self.players),
            parent=parent,
            player=player,
            infoset=infoset,
            first_child=first_child,
            n_children=n_children,
            action=action,
            depth=depth,
            terminal=terminal,
            terminal_nodes=terminal_nodes,
            infoset_player=np.array([self._player[first_seen[k]] for k in keys], dtype=np.int64),
            action_offset=offsets,
            n_actions=n_actions,
            node_labels=[self._label[old] for old in order],
            move_labels=[self._move[old] for old in order],
            infoset_labels=[self._infoset_label[k] for k in keys],
            action_labels=[a for k in keys for a in self._actions[k]],
        )


def split_infosets(tree: Tree, player: int | None = None) -> Tree:
    """The same tree in which ``player``'s (default: every player's) decision nodes are each an
    information set of their own.

    This is the what-if in which that actor sees every earlier move. Infosets stay ordered by
    player, then by first depth-first appearance; labels are kept.
    """
    decision = np.flatnonzero(tree.infoset >= 0)
    position = np.empty(tree.n_nodes, dtype=np.int64)
    position[np.array(tree.preorder())] = np.arange(tree.n_nodes)
    split = tree.player[decision] == player if player is not None else np.ones(len(decision), bool)
    # a kept infoset is represented by its first member; a split node by itself
    first = {}
    for node in decision[np.argsort(position[decision])]:
        first.setdefault(int(tree.infoset[node]), int(node))
    keys = np.where(split, decision, [first[int(tree.infoset[n])] for n in decision])
    representatives = np.unique(keys)
    order = representatives[np.lexsort((position[representatives], tree.player[representatives]))]
    index_of = np.full(tree.n_nodes, -1)
    index_of[order] = np.arange(len(order))
    infoset = np.full(tree.n_nodes, -1)
    infoset[decision] = index_of[keys]
    old = tree.infoset[order]
    n_actions = tree.n_actions[old]
    return replace(
        tree,
        infoset=infoset,
        infoset_player=tree.player[order],
        action_offset=action_offsets(n_actions),
        n_actions=n_actions,
        infoset_labels=[tree.infoset_labels[h] for h in old],
        action_labels=[tree.action_labels[tree.action_offset[h] + a] for h in old for a in range(tree.n_actions[h])],
    )


def script(game: Game, fixed: np.ndarray) -> Game:
    """The game in which scripted information sets become chance moves.

    ``fixed`` (S,) holds the scripted action probabilities and NaN at the slots left to the
    actors (as :func:`escalade.game.policy_profile` returns). Every solver can then treat a
    policy like any other uncertainty: the scripted actor no longer decides there.
    """
    tree = game.tree
    scripted_infoset = ~np.isnan(fixed[tree.action_offset])  # (I,)
    node_scripted = (tree.infoset >= 0) & scripted_infoset[np.maximum(tree.infoset, 0)]
    keep = np.flatnonzero(~scripted_infoset)
    renumber = np.full(tree.n_infosets, -1)
    renumber[keep] = np.arange(len(keep))
    infoset = np.where(tree.infoset >= 0, renumber[np.maximum(tree.infoset, 0)], -1)
    infoset[node_scripted] = -1
    n_actions = tree.n_actions[keep]
    kept_slots = [tree.action_offset[h] + a for h in keep for a in range(tree.n_actions[h])]
    before = tree.scripted if tree.scripted is not None else np.full(tree.n_nodes, -1)
    new_tree = replace(
        tree,
        player=np.where(node_scripted, CHANCE, tree.player),
        scripted=np.where(node_scripted, tree.player, before),
        infoset=infoset,
        infoset_player=tree.infoset_player[keep],
        action_offset=action_offsets(n_actions),
        n_actions=n_actions,
        infoset_labels=[tree.infoset_labels[h] for h in keep],
        action_labels=[tree.action_labels[s] for s in kept_slots],
    )
    chance_prob = np.array(game.chance_prob, copy=True)
    slot = tree.slot
    moves = np.flatnonzero((tree.parent >= 0) & node_scripted[np.maximum(tree.parent, 0)])
    chance_prob[:, moves] = fixed[slot[moves]][None, :]
    return replace(game, tree=new_tree, chance_prob=chance_prob)


def full_information(tree: Tree, who: str) -> Tree:
    """The what-if in which actor ``who`` (an actor id, or ``"all"``) sees every earlier move."""
    if who == "all":
        return split_infosets(tree)
    if who not in tree.players:
        raise ValueError(
            f"full information is for an actor id or 'all', not {who!r}; actors: {', '.join(tree.players)}"
        )
    return split_infosets(tree, tree.players.index(who))


def force(game: Game, outcomes: dict[str, str]) -> Game:
    """The game in which the named chance nodes (every copy) always take the named branch."""
    if not outcomes:
        return game
    tree = game.tree
    chance_prob = np.array(game.chance_prob, copy=True)
    for node in range(1, tree.n_nodes):
        parent = tree.parent[node]
        branch = outcomes.get(tree.node_labels[parent]) if tree.player[parent] == CHANCE else None
        if branch is not None:
            chance_prob[:, node] = 1.0 if tree.move_labels[node] == branch else 0.0
    return replace(game, chance_prob=chance_prob)
