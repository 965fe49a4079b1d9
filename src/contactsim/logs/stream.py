"""One log file streamed in batches of trimmed text: our columns only, never the whole file.

pyarrow's streaming CSV reader (:func:`pyarrow.csv.open_csv`) hands over the rows a block of
:data:`BLOCK_BYTES` of text at a time, so a year of the largest force (about 1 GB of text) is
never held as text at once: each batch is turned into numbers (:mod:`contactsim.logs.gather`)
and dropped. Rows with the wrong number of cells are set aside and counted, with their cell
counts, for the problems that name their lines (:func:`contactsim.logs.source.layout`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyarrow as pa
import pyarrow.csv as pacsv

from contactsim.logs import cells, source
from contactsim.logs.columns import choose_columns, header_names
from contactsim.logs.model import COLUMNS, OPTIONAL
from contactsim.problems import FILE_KEY, Problem, ScenarioError

#: Text read per batch. Large enough that a batch's fixed costs vanish (about 100,000 rows),
#: small enough that the text in memory is a few tens of MB; a row longer than this is refused
#: by the reader. Tests lower it to put batch boundaries between a few rows.
BLOCK_BYTES = 1 << 24


class LogFile:
    """A log file whose header has been read and checked; :meth:`batches` streams its rows."""

    def __init__(self, name: str, mapping: Mapping[str, str], map_file: str | None) -> None:
        first, self.blank_lines = source.read_head(name)
        header = header_names(first)
        self.name = name
        self.width = len(header)
        self.positions = choose_columns(name, header, mapping, map_file)
        self.present = set(self.positions) & set(OPTIONAL)  # the optional columns it has
        self.rows = 0  # data rows the reader returned (after a full pass of batches)
        self.ragged: list[tuple[int, int]] = []  # (cells, expected) of each row set aside

    def batches(self) -> Iterator[tuple[int, dict[str, pa.ChunkedArray]]]:
        """Each batch: the index of its first data row in the file, and every one of our
        columns as trimmed text (null where empty, or where the file lacks the column).

        A damaged file (bad gzip, not UTF-8, a quoted line break) is a problem naming it.
        """
        self.rows, self.ragged = 0, []

        def set_aside(row: pacsv.InvalidRow) -> str:
            if not row.text.strip():  # a line of spaces: blank, as an empty line is
                return "skip"
            self.ragged.append((row.actual_columns, row.expected_columns))
            return "skip"

        names = [f"c{i}" for i in range(self.width)]  # the raw names may repeat or be blank
        wanted = [names[self.positions[c]] for c in COLUMNS if c in self.positions]
        try:
            with source.open_log(self.name) as stream:
                reader = pacsv.open_csv(
                    stream,
                    read_options=pacsv.ReadOptions(column_names=names,
                                                   skip_rows=self.blank_lines + 1,
                                                   block_size=BLOCK_BYTES),
                    parse_options=pacsv.ParseOptions(invalid_row_handler=set_aside),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(names, pa.string()), include_columns=wanted,
                        strings_can_be_null=False))
                for batch in reader:
                    n = batch.num_rows
                    if not n:
                        continue
                    text = {c: cells.clean(pa.chunked_array(
                                [batch.column(names[self.positions[c]])]))
                            if c in self.positions
                            else pa.chunked_array([pa.nulls(n, pa.string())]) for c in COLUMNS}
                    del batch
                    yield self.rows, text
                    self.rows += n
        except (OSError, pa.ArrowException) as exc:
            raise ScenarioError([Problem(self.name, FILE_KEY, source.damaged(exc))]) from None
