"""A survey's frames and open answers as columns: the survey entry of ``.tymqual-cache/``.

A survey of 200,000 respondents kept as JSON was a 31 MB file decoded into one Python object
per cell before pandas saw it. Here an entry is an uncompressed zip (``<key>.zip``) of numpy
arrays (``.npy``, read with ``allow_pickle=False``: nothing in it can run code) and UTF-8
texts (``.txt``): numbers and booleans as they are, a nullable column as values and a mask, a
categorical column as its codes with its categories encoded the same way, and a text column
as one text with the code-point offset where each cell ends, decoded once and sliced. Cells
of object columns that are neither text nor missing (tuples, numbers) are kept as one JSON
text per cell, tuples tagged so they come back as tuples. What the entry means (frame names,
column kinds, dtypes, row counts) is ``header.json`` beside them. Being a zip of plain texts,
the entry is read by the leak check member by member, like an export.

Anything else (another index, a column kind this module does not know) raises
:class:`Unsupported`, and anything that does not decode raises one of :data:`DAMAGED`: the
cache then parses the file instead. The cache also compares what decoding gives with what
parsing gave before it writes an entry, so a column that does not come back equal is simply
not cached.

Why numpy and not Parquet: numpy is already needed, while Parquet would need pyarrow, which
is not a dependency and would, once installed, also switch pandas' default string storage
for the whole library.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tymqual.errors import TymqualError
from tymqual.surveys import AnswerTexts

Arrays = dict[str, np.ndarray | str]
"""An entry's columns by name: numpy arrays, and texts kept as text."""
_SCALARS = (str, int, float, bool, type(None))
_HEADER = "header.json"
DAMAGED = (OSError, ValueError, KeyError, TypeError, IndexError, UnicodeError, EOFError,
           OverflowError, zipfile.BadZipFile)
"""What reading a damaged archive can raise; each means: parse the file instead."""


class Unsupported(TymqualError):
    """A frame holds something this module does not store; the file is then parsed each time."""


# ---------------------------------------------------------------------------- the archive
def pack(header: Mapping[str, Any], arrays: Arrays) -> bytes:
    """One uncompressed zip: ``header.json``, each text as ``<name>.txt`` (UTF-8) and each
    array as ``<name>.npy``. Texts are plain members so that the leak check, which reads a
    zip member by member, sees their words as written (an ``.npy`` of bytes would hide them
    behind its binary magic)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(_member(_HEADER), json.dumps(header, ensure_ascii=False,
                                                      separators=(",", ":")))
        for name, value in arrays.items():
            if isinstance(value, str):
                archive.writestr(_member(f"{name}.txt"), value.encode("utf-8", "surrogatepass"))
            else:
                with archive.open(_member(f"{name}.npy"), "w") as member:
                    np.lib.format.write_array(member, value, allow_pickle=False)
    return buffer.getvalue()


def _member(name: str) -> zipfile.ZipInfo:
    """A member dated 1980-01-01, so that the same survey always gives the same bytes."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def unpack(data: bytes) -> tuple[dict[str, Any], Arrays]:
    """The header and arrays :func:`pack` wrote; raises one of :data:`DAMAGED` otherwise."""
    arrays: Arrays = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        header = json.loads(archive.read(_HEADER).decode("utf-8"))
        for info in archive.infolist():
            name, _, suffix = info.filename.rpartition(".")
            if suffix == "txt":
                arrays[name] = archive.read(info).decode("utf-8", "surrogatepass")
            elif suffix == "npy":
                with archive.open(info) as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
    if not isinstance(header, dict):
        raise ValueError("the header of a survey entry is not an object")
    return header, arrays


def _array(arrays: Arrays, name: str) -> np.ndarray:
    value = arrays[name]
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} is not an array")
    return value


def _text(arrays: Arrays, name: str) -> str:
    value = arrays[name]
    if not isinstance(value, str):
        raise TypeError(f"{name} is not a text")
    return value


# ---------------------------------------------------------------------------- text columns
def _put_texts(arrays: Arrays, name: str, cells: list[str]) -> None:
    """Cells as one text and the code-point offset where each ends."""
    arrays[name] = "".join(cells)
    arrays[f"{name}.ends"] = np.cumsum([len(c) for c in cells], dtype=np.int64)


def _take_texts(arrays: Arrays, name: str) -> list[str]:
    joined, ends = _text(arrays, name), _array(arrays, f"{name}.ends")
    if len(ends) and (int(ends[-1]) != len(joined) or (np.diff(ends) < 0).any() or ends[0] < 0):
        raise ValueError(f"the text offsets of {name} do not fit its buffer")
    bounds = [0, *ends.tolist()]
    return [joined[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _put_masked_texts(arrays: Arrays, name: str, cells: list[object]) -> None:
    mask = np.array([c is None for c in cells], dtype=bool)
    _put_texts(arrays, name, ["" if c is None else str(c) for c in cells])
    arrays[f"{name}.mask"] = mask


def _take_masked_texts(arrays: Arrays, name: str) -> list[str | None]:
    texts: list[str | None] = list(_take_texts(arrays, name))
    mask = _array(arrays, f"{name}.mask")
    if len(mask) != len(texts):
        raise ValueError(f"the mask of {name} does not fit its cells")
    for row in np.flatnonzero(mask).tolist():
        texts[row] = None
    return texts


# ---------------------------------------------------------------------------- object cells
def _encode_value(value: object) -> object:
    """A cell of an object column as JSON; tuples are tagged so they come back as tuples."""
    if isinstance(value, tuple):
        return {"tuple": [_encode_value(v) for v in value]}
    if isinstance(value, _SCALARS):
        return value
    raise Unsupported(type(value).__name__)


def _decode_value(value: object) -> object:
    if isinstance(value, dict):
        return tuple(_decode_value(v) for v in value["tuple"])
    return value


def _object_column(arrays: Arrays, name: str, series: pd.Series) -> dict[str, Any]:
    cells = series.tolist()
    if all(c is None or type(c) is str for c in cells):
        _put_masked_texts(arrays, name, cells)
        return {"kind": "object_text"}
    _put_texts(arrays, name, [json.dumps(_encode_value(c), ensure_ascii=False) for c in cells])
    return {"kind": "object_json"}


def _object_series(arrays: Arrays, name: str, kind: str) -> pd.Series:
    if kind == "object_text":
        values: list[object] = list(_take_masked_texts(arrays, name))
    else:
        values = [_decode_value(json.loads(c)) for c in _take_texts(arrays, name)]
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    return pd.Series(cells, dtype=object)


# ---------------------------------------------------------------------------- columns
def encode_column(arrays: Arrays, name: str, series: pd.Series) -> dict[str, Any]:
    """Put ``series`` into ``arrays`` under names starting ``name``; return its header."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        arrays[f"{name}.codes"] = series.cat.codes.to_numpy()
        return {"kind": "category", "ordered": bool(dtype.ordered),
                "categories": encode_column(arrays, f"{name}.c", pd.Series(dtype.categories))}
    if str(dtype) in ("boolean", "Int64"):
        mask = series.isna().to_numpy()
        fill = False if str(dtype) == "boolean" else 0
        arrays[f"{name}.values"] = series.fillna(fill).to_numpy(
            dtype=bool if fill is False else np.int64)
        arrays[f"{name}.mask"] = mask
        return {"kind": "masked", "dtype": str(dtype)}
    if str(dtype) in ("float64", "int64", "bool"):
        arrays[f"{name}.values"] = series.to_numpy()
        return {"kind": "numpy", "dtype": str(dtype)}
    if isinstance(dtype, pd.StringDtype):
        _put_masked_texts(arrays, name, [None if pd.isna(v) else v for v in series.tolist()])
        return {"kind": "string", "storage": dtype.storage, "na_nan": dtype.na_value is not pd.NA}
    if pd.api.types.is_object_dtype(dtype):
        return _object_column(arrays, name, series)
    raise Unsupported(str(dtype))


def decode_column(arrays: Arrays, name: str, spec: Mapping[str, Any]) -> pd.Series:
    """The series :func:`encode_column` put under ``name``."""
    kind = spec["kind"]
    if kind == "category":
        categories = pd.Index(decode_column(arrays, f"{name}.c", spec["categories"]))
        codes = _array(arrays, f"{name}.codes")
        if len(codes) and (codes.max() >= len(categories) or codes.min() < -1):
            raise ValueError(f"category codes of {name} out of range")
        return pd.Series(pd.Categorical.from_codes(codes, categories=categories,
                                                   ordered=bool(spec["ordered"])))
    if kind == "masked":
        values, mask = _array(arrays, f"{name}.values"), _array(arrays, f"{name}.mask")
        array_type = (pd.arrays.BooleanArray if spec["dtype"] == "boolean"
                      else pd.arrays.IntegerArray)
        return pd.Series(array_type(values, mask.astype(bool)))
    if kind == "numpy":
        return pd.Series(_array(arrays, f"{name}.values"), dtype=str(spec["dtype"]), copy=False)
    if kind == "string":
        dtype = pd.StringDtype(spec["storage"], na_value=np.nan if spec["na_nan"] else pd.NA)
        return pd.Series(_take_masked_texts(arrays, name), dtype=dtype)
    if kind in ("object_text", "object_json"):
        return _object_series(arrays, name, kind)
    raise ValueError(f"unknown column kind {kind!r}")


def encode_frame(arrays: Arrays, name: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Put ``frame`` (a RangeIndex, text column names) into ``arrays``; return its header."""
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise Unsupported("index")
    if not all(isinstance(c, str) for c in frame.columns) or frame.columns.has_duplicates:
        raise Unsupported("column names")
    return {"rows": len(frame), "columns": list(frame.columns),
            "data": [encode_column(arrays, f"{name}.{i}", frame[c])
                     for i, c in enumerate(frame.columns)]}


def decode_frame(arrays: Arrays, name: str, spec: Mapping[str, Any]) -> pd.DataFrame:
    """The frame :func:`encode_frame` put under ``name``."""
    rows, names, data = int(spec["rows"]), spec["columns"], spec["data"]
    columns = {column: decode_column(arrays, f"{name}.{i}", column_spec)
               for i, (column, column_spec) in enumerate(zip(names, data, strict=True))}
    if any(len(s) != rows for s in columns.values()):
        raise ValueError(f"the columns of {name} differ in length")
    if not columns:
        return pd.DataFrame(index=pd.RangeIndex(rows))
    return pd.DataFrame(columns, index=pd.RangeIndex(rows), copy=False)


# ---------------------------------------------------------------------------- open answers
def encode_answers(arrays: Arrays, answers: AnswerTexts) -> None:
    """Put the open answers' texts and turns into ``arrays`` (under ``answers.``)."""
    _put_texts(arrays, "answers.ids", answers.respondent_ids)
    # A few item ids repeat on every turn: kept once, with each turn's number into them.
    numbers: dict[str, int] = {}
    codes = [numbers.setdefault(item, len(numbers)) for item in answers.turn_items]
    _put_texts(arrays, "answers.items", list(numbers))
    arrays["answers.item_codes"] = np.array(codes, dtype=np.int64)
    arrays["answers.text"] = answers.text
    for field in ("bounds", "turn_bounds", "turn_starts", "turn_ends"):
        arrays[f"answers.{field}"] = getattr(answers, field)


def decode_answers(arrays: Arrays) -> AnswerTexts:
    """The open answers :func:`encode_answers` put into ``arrays``; checked to fit together."""
    text = _text(arrays, "answers.text")
    numbers = {f: _array(arrays, f"answers.{f}").astype(np.int64, copy=False)
               for f in ("bounds", "turn_bounds", "turn_starts", "turn_ends")}
    items, codes = _take_texts(arrays, "answers.items"), _array(arrays, "answers.item_codes")
    if len(codes) and (codes.min() < 0 or codes.max() >= len(items)):
        raise ValueError("an open answer's item number is out of range")
    turn_items = [items[c] for c in codes.tolist()]  # the same few strings, shared
    answers = AnswerTexts(_take_texts(arrays, "answers.ids"), text, numbers["bounds"],
                          numbers["turn_bounds"], turn_items, numbers["turn_starts"],
                          numbers["turn_ends"])
    answers.check()
    return answers


__all__ = ["DAMAGED", "Unsupported", "decode_answers", "decode_column", "decode_frame",
           "encode_answers", "encode_column", "encode_frame", "pack", "unpack"]
