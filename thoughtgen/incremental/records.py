"""Parsed items as plain data for the build cache: JSON in, JSON out, nothing that can run.

Whoever can write the cache file must not be able to run code at the next build, so items
are stored as JSON, never pickled. The encoding follows ``dataclasses.fields(ParsedItem)``
and each field's type: a field of a new type fails loudly in the tests, it is not skipped.
A datetime keeps its zone's name so it comes back with the very tzinfo parsing gave it
(pages render identically); a value JSON cannot carry (YAML binary, sets, keys that are
not text) makes the item uncachable, and it is simply parsed again next time.
"""

from __future__ import annotations

import json
import math
import types
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from operator import itemgetter
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

from thoughtgen.model import Body
from thoughtgen.parse import ParsedItem

Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # (encode, decode)


class Unencodable(ValueError):
    """A value the cache cannot hold as plain data."""


def encode_item(item: ParsedItem) -> str | None:
    """The item (without its HTML) as JSON text; None if it holds something JSON cannot."""
    try:
        return json.dumps(_item_codec()[0](item), ensure_ascii=False, allow_nan=False)
    except (Unencodable, ValueError):
        return None


def decode_item(record: str | bytes) -> ParsedItem | None:
    """The item stored as ``record``; None for anything that is not a well-formed record."""
    try:
        item = _item_codec()[1](json.loads(record))
    except (ValueError, TypeError, KeyError, IndexError, LookupError):
        return None
    return item if isinstance(item, ParsedItem) else None


@cache
def _item_codec() -> Codec:
    return _codec(ParsedItem)


def _codec(hint: Any) -> Codec:
    """Encoder and decoder for values of the type ``hint``."""
    origin, args = get_origin(hint), get_args(hint)
    if hint in (str, int, bool):
        return _exactly(hint)
    if hint is datetime:
        return _encode_datetime, _decode_datetime
    if hint is Body:  # the HTML is stored on its own, by digest
        return (lambda body: body.digest), (lambda digest: Body(_exactly(str)[1](digest)))
    if origin in (Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _optional(_codec(inner[0]))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(_codec(args[0]))
    if origin is dict and args and args[0] is str:
        return _plain, _plain
    if is_dataclass(hint) and isinstance(hint, type):
        return _dataclass(hint)
    raise TypeError(f"the build cache has no encoding for {hint!r}; add one in records.py")


def _exactly(kind: type) -> Codec:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise Unencodable(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return check, check


def _optional(inner: Codec) -> Codec:
    encode, decode = inner
    return (
        lambda v: None if v is None else encode(v),
        lambda v: None if v is None else decode(v),
    )


def _sequence(inner: Codec) -> Codec:
    encode, decode = inner

    def decode_all(values: Any) -> tuple[Any, ...]:
        if not isinstance(values, list):
            raise Unencodable("expected a list")
        return tuple(decode(v) for v in values)

    return (lambda values: [encode(v) for v in values]), decode_all


def _dataclass(kind: type) -> Codec:
    hints = get_type_hints(kind)
    names = [f.name for f in fields(kind)]
    codecs = [_codec(hints[name]) for name in names]
    # Text, numbers and flags are checked all at once, in C; only the other fields are
    # decoded one by one. Thousands of items are decoded per build: it shows.
    plain = [i for i, name in enumerate(names) if hints[name] in _PLAIN_KINDS]
    plain_types = tuple(hints[names[i]] for i in plain)
    take_plain = itemgetter(*plain) if len(plain) > 1 else None
    others = [(i, codecs[i][1]) for i in range(len(names)) if i not in plain]
    # Filled as unpickling would, without __init__ (the frozen __init__ costs more than all
    # the rest); only for classes that do no work in __init__.
    direct = not hasattr(kind, "__post_init__") and not hasattr(kind, "__slots__")

    def encode(value: Any) -> list[Any]:
        return [enc(getattr(value, name)) for name, (enc, _dec) in zip(names, codecs, strict=True)]

    def decode(values: Any) -> Any:
        if type(values) is not list or len(values) != len(names):
            raise Unencodable(f"expected {len(names)} fields of {kind.__name__}")
        if not others and direct:  # a tag: all text
            if tuple(map(type, values)) != plain_types:
                raise Unencodable(f"a field of {kind.__name__} has the wrong type")
            made: Any = object.__new__(kind)
            made.__dict__.update(zip(names, values, strict=True))
            return made
        if take_plain is not None:
            found = tuple(map(type, take_plain(values)))
        else:
            found = tuple(type(values[i]) for i in plain)
        if found != plain_types:
            raise Unencodable(f"a field of {kind.__name__} has the wrong type")
        out = list(values)
        for index, dec in others:
            out[index] = dec(values[index])
        if not direct:
            return kind(*out)
        made_: Any = object.__new__(kind)
        made_.__dict__.update(zip(names, out, strict=True))
        return made_

    return encode, decode


_PLAIN_KINDS = frozenset((str, int, bool))


def _plain(value: Any) -> Any:
    """``value`` itself when it is JSON data that comes back equal; else Unencodable."""
    if value is None or type(value) in (str, int, bool):
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise Unencodable("not a finite number")
        return value
    if type(value) is list:
        return [_plain(v) for v in value]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise Unencodable("a mapping key that is not text")
        return {k: _plain(v) for k, v in value.items()}
    raise Unencodable(f"{type(value).__name__} is not plain data")


def _encode_datetime(value: datetime) -> list[Any]:
    wall = value.replace(tzinfo=None).isoformat()
    zone = value.tzinfo
    if zone is None:
        return [wall, value.fold, None]
    if isinstance(zone, ZoneInfo) and zone.key is not None:
        return [wall, value.fold, zone.key]
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        if zone == timezone(offset) and zone.tzname(None) == timezone(offset).tzname(None):
            return [wall, value.fold, offset // timedelta(microseconds=1)]
    raise Unencodable(f"a time zone the cache cannot name: {zone!r}")


def _decode_datetime(value: Any) -> datetime:
    wall, fold, zone = value
    if type(wall) is not str or fold not in (0, 1):
        raise Unencodable("not a stored datetime")
    if type(zone) is str:
        tz: tzinfo | None = ZoneInfo(zone)  # ZoneInfo(key) is one object per key
    elif type(zone) is int:
        tz = timezone(timedelta(microseconds=zone))
    elif zone is None:
        tz = None
    else:
        raise Unencodable("not a stored time zone")
    return datetime.fromisoformat(wall).replace(tzinfo=tz, fold=fold)
