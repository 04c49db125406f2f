"""CSV text, streamed: every row written by the standard library's csv.writer
(excel dialect) over an echo buffer, as NetBox's utilities/export.py does, and
sent a block of rows at a time: a response pays for each chunk it sends.

What older rows may hold and no export writes (control characters:
pim_tracker.characters.printable) is left out of each block's text at once,
not cell by cell."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator, Sequence

from pim_tracker.characters import printable_text

# Rows per chunk of text (about 90 KB of the flat export).
BLOCK = 256


class _Echo:
    """A file whose write() hands back what it is given: csv.writer's writerow()
    then returns the line it wrote."""

    def write(self, value: str) -> str:
        return value


def csv_blocks(
    rows: Iterable[Sequence[object]], block: int = BLOCK, repeated: int = 0
) -> Iterator[str]:
    """A byte order mark, then the CSV text of `rows`, `block` rows at a time.

    `repeated`: how many leading cells rows often share with the row before (the
    flat export repeats a challenge's plan, group, team and challenge on each of
    its action points). Their text is written once and reused for the rows that
    follow with the same cells: most of a flat export's text is theirs. It must
    leave at least two cells on each side, or be 0: csv.writer writes a record of
    one empty cell on its own as "" (quoted), not as nothing.
    """
    # The BOM makes Excel open UTF-8 (Arabic, French names) correctly.
    yield "\ufeff"
    writer = csv.writer(_Echo())
    end = -len(writer.dialect.lineterminator)
    head: Sequence[object] | None = None
    prefix = ""
    rows = iter(rows)
    while batch := list(itertools.islice(rows, block)):
        lines = []
        for row in batch:
            if repeated and row[:repeated] != head:
                head = row[:repeated]
                prefix = writer.writerow(head)[:end] + writer.dialect.delimiter
            lines += (prefix, writer.writerow(row[repeated:]))
        yield printable_text("".join(lines))
