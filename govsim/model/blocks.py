"""Per-case draws for repeated events, made a block of cases at a time when first read.

Layer: model. A case that fails again and again reads one draw per repeat (a wait before
re-filing, how long a patch holds, readiness to climb): ``K_DRAWS`` values a case, drawn from a
stream of its own in case order. Held whole, those are 64 bytes a case per stream, for every
case of the horizon, most of which never fail. :class:`RowBlocks` draws them a block of cases
at a time, the first time a case of the block reads one, keeps the blocks read most recently,
and saves the generator's state at the start of every block, so a block dropped and read again
is drawn again, the same values: the same stream, from the same state. Values are the same, to
the last bit, as one draw of the whole ``(n, K_DRAWS)`` array, since NumPy's generators draw a
float array one value after another in row order (checked in ``tests/test_compact_state.py``).
Memory is then bounded by the blocks kept, not by the horizon.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["RowBlocks", "BLOCK_ROWS", "BLOCKS_KEPT"]

#: cases a block holds (a power of two) and blocks kept per stream: 16 KiB a block for eight
#: draws a case, 4 MiB a stream at most (the cases of a district year that fail again are
#: spread over a few hundred blocks at once: fewer kept would draw blocks again and again)
BLOCK_ROWS = 256
BLOCKS_KEPT = 256
_SHIFT = BLOCK_ROWS.bit_length() - 1


class RowBlocks:
    """An ``(n, k)`` array of draws, read with :meth:`item` and made in blocks when first read.

    Parameters
    ----------
    rng:
        The stream, at its start; row ``i`` is drawn after rows ``0 .. i-1``.
    draw:
        ``draw(rng, first, rows)`` draws the ``(rows, k)`` block of rows ``first ..
        first + rows - 1`` (elementwise operations on one draw of the generator only).
    n:
        Rows in all.
    """

    __slots__ = ("_rng", "_draw", "_n", "_kept", "_states", "_cap", "made")

    def __init__(self, rng: np.random.Generator, draw: Callable[[np.random.Generator, int, int],
                                                                 np.ndarray],
                 n: int, kept: int = BLOCKS_KEPT) -> None:
        self._rng = rng
        self._draw = draw
        self._n = n
        self._cap = kept
        self._kept: OrderedDict[int, np.ndarray] = OrderedDict()
        #: the generator's state at the start of each block drawn so far, and of the next one
        self._states: list[dict[str, Any]] = [rng.bit_generator.state]
        #: blocks drawn so far, again or for the first time (a measure of how well they are kept)
        self.made = 0

    def item(self, i: int, j: int) -> float:
        """Row ``i``'s draw ``j``, as a Python float."""
        b = i >> _SHIFT
        kept = self._kept
        block = kept.get(b)
        if block is None:
            block = self._block(b)
        else:
            kept.move_to_end(b)  # read lately: the last to go
        return block.item(i & (BLOCK_ROWS - 1), j)  # type: ignore[no-any-return]

    def _block(self, b: int) -> np.ndarray:
        states = self._states
        # draw the blocks before it that were never drawn (each saving the state after it)
        while len(states) <= b:
            self._make(len(states) - 1)
        block = self._make(b)
        kept = self._kept
        kept[b] = block
        if len(kept) > self._cap:  # the block read longest ago goes
            kept.popitem(last=False)
        return block

    def _make(self, b: int) -> np.ndarray:
        rng, states = self._rng, self._states
        rng.bit_generator.state = states[b]
        first = b * BLOCK_ROWS
        block = self._draw(rng, first, min(BLOCK_ROWS, self._n - first))
        self.made += 1
        if len(states) == b + 1:
            states.append(rng.bit_generator.state)
        return block
