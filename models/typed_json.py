"""Frozen dataclasses read from JSON with every value checked against its field, and written back.

Reading refuses a value that does not fit its field's type with an Invalid that names where the
value is, so that a damaged file is reported by the field rather than failing later; unknown keys
are refused too, since writing the object back would drop them. A field's metadata may add a
condition on its numbers (`checked`) and ask for None to be written as null (WRITE_NULL); a
dataclass may check what involves several fields in a `_problems()` method that yields
(place within it, problem) pairs. Writing leaves out None and dataclasses at their default.
Torch-free, for the app's start.
"""

from __future__ import annotations

import json
import math
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields, is_dataclass
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin, get_type_hints

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

Check = tuple[Callable[[float], bool], str]  # a condition on a number, and how a message says it

WRITE_NULL = {"write_null": True}  # field metadata: None is written as null rather than left out


def checked(condition: Callable[[float], bool], words: str) -> dict[str, Check]:
    """Field metadata: every number in the field must meet `condition`, which `words` say."""
    return {"check": (condition, words)}


class Invalid(Exception):
    """A value that does not fit its field: where it is (`path`), and what is wrong with it."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path, self.problem = path, problem


def _shown(value: object) -> str:
    """A JSON value as a user would name it."""
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    return json.dumps(value)  # null, true, 0, NaN


def _wanted(hint: Any) -> str:
    """What a type annotation asks for, in words."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        options = [arg for arg in args if arg is not type(None) and not (arg is int and float in args)]
        return " or ".join(map(_wanted, options)) + (" or null" if type(None) in args else "")
    if origin is list:
        return "a list"
    words = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    return words.get(hint, "an object")


def _parse(value: object, hint: Any, path: str, check: Check | None) -> Any:
    """`value` as the type `hint` asks for, every number in it meeting `check`; else Invalid."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [arg for arg in args if arg is not type(None)]
        for option in options:
            try:
                return _parse(value, option, path, check)
            except Invalid as error:
                if len(options) == 1 or error.path != path:  # a problem inside the value: name that
                    raise
        raise Invalid(path, f"must be {_wanted(hint)}, not {_shown(value)}")
    if isinstance(hint, type) and is_dataclass(hint):
        return parse(value, hint, path)
    if origin is list:
        if not isinstance(value, list):
            raise Invalid(path, f"must be a list, not {_shown(value)}")
        return [_parse(entry, args[0], f"{path}[{index}]", check) for index, entry in enumerate(value)]
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise Invalid(path, f"must be an object, not {_shown(value)}")
        return {key: _parse(entry, args[1], f"{path}.{key}", check) for key, entry in value.items()} if args else value
    if hint in (bool, str, int, float):
        allowed = (int, float) if hint is float else hint
        if not isinstance(value, allowed) or (isinstance(value, bool) and hint is not bool):
            raise Invalid(path, f"must be {_wanted(hint)}, not {_shown(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(path, f"must be a finite number, not {_shown(value)}")
        if check is not None and not check[0](value):
            raise Invalid(path, f"must be {check[1]}, not {_shown(value)}")
        return hint(value)
    raise TypeError(f"a field of type {hint!r} cannot be read")  # a field declared with no reader here


def parse(value: object, cls: type[T], path: str = "") -> T:
    """A JSON object as the dataclass `cls`: every known field checked, unknown keys refused.
    `path` is where the object is, for messages; "" for the whole document."""
    if not isinstance(value, dict):
        raise Invalid(path, f"must be an object, not {_shown(value)}")
    inside = f"{path}." if path else ""
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise Invalid(inside + unknown[0], "is not a field this version of visionlab knows")
    hints = get_type_hints(cls)
    given = {}
    for name, f in known.items():
        if name in value:
            given[name] = _parse(value[name], hints[name], inside + name, f.metadata.get("check"))
        elif f.default is MISSING and f.default_factory is MISSING:
            raise Invalid(inside + name, "is missing")
    made = cls(**given)
    for where, problem in getattr(made, "_problems", tuple)():
        raise Invalid(inside + where if where else path, problem)
    return made


def plain(value: object, key_order: Mapping[type, tuple[str, ...]]) -> Any:
    """`value` as JSON values; None fields and dataclasses at their default are left out. A
    dataclass's keys come in `key_order` where it names the class, else in the order of its fields."""
    if not is_dataclass(value):
        if isinstance(value, list):
            return [plain(entry, key_order) for entry in value]
        return {key: plain(entry, key_order) for key, entry in value.items()} if isinstance(value, dict) else value
    known = {f.name: f for f in fields(value)}
    written = {}
    for name in key_order.get(type(value), tuple(known)):
        entry, f = getattr(value, name), known[name]
        if entry is None and not f.metadata.get("write_null"):
            continue
        if is_dataclass(entry) and entry == f.default:
            continue
        written[name] = plain(entry, key_order)
    return written
