"""Read a YAML file into a pydantic model, with errors that name the file and every bad key.

:func:`strict_yaml` is the loader for hand-written settings (params): a safe loader that also refuses
what YAML 1.1 would silently reinterpret (``no`` read as False, ``0123`` read as 83, ``!!binary``).
Every loader here refuses a key given twice in one mapping (YAML would keep the last one silently) and
anchors and aliases (``&a``/``*a``: an alias bomb expands a few lines into gigabytes); a params or codebook
file over :data:`MAX_BYTES` is refused before it is parsed. Errors name the file and line, never an
expanded value.

Examples
--------
>>> import tempfile, pathlib
>>> from pydantic import BaseModel
>>> class M(BaseModel):
...     n: int
>>> p = pathlib.Path(tempfile.mkdtemp()) / "m.yaml"
>>> _ = p.write_text("n: x")
>>> read_yaml_model(p, M, ValueError, "settings")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: .../m.yaml: the settings do not fit the schema:
  n: Input should be a valid integer, unable to parse string as an integer (found 'x')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .paths import relative

M = TypeVar("M", bound=BaseModel)

#: The largest params or codebook file read (a hand-written file: the largest shipped one is 8 kB).
MAX_BYTES = 1_000_000
_BOOL_WORDS = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses scalars YAML 1.1 would silently reinterpret."""


def _scalar(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is None:  # plain (unquoted) scalars only
        if _BOOL_WORDS.match(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"{value!r} would be read as a boolean; write true/false, or quote it as a string",
                node.start_mark)
        if _LEADING_ZERO.match(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"{value!r} has a leading zero (YAML 1.1 reads it as octal); quote it or drop the zero",
                node.start_mark)
    return loader.construct_scalar(node)


for _tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"):
    _original = _StrictLoader.yaml_constructors[_tag]

    def _checked(loader: _StrictLoader, node: yaml.ScalarNode, _orig=_original) -> Any:
        _scalar(loader, node)
        return _orig(loader, node)

    _StrictLoader.add_constructor(_tag, _checked)


def _no_binary(loader: _StrictLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(None, None, "!!binary values are not allowed",
                                            node.start_mark)


_StrictLoader.add_constructor("tag:yaml.org,2002:binary", _no_binary)


def _checked_tree(loader: Any) -> Any:
    """The document's node tree, refused when it holds an alias or a key given twice in a mapping."""
    try:
        root = loader.get_single_node()
        seen: set[int] = set()
        todo = [root] if root is not None else []
        while todo:
            node = todo.pop()
            if id(node) in seen:
                raise yaml.composer.ComposerError(
                    None, None, "anchors and aliases (&name, *name) are not allowed: write the value out",
                    node.start_mark)
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                first: dict[tuple[str, str], Any] = {}
                for key, value in node.value:
                    k = (key.tag, key.value) if isinstance(key, yaml.ScalarNode) else None
                    if k is not None and k in first:
                        raise yaml.constructor.ConstructorError(
                            f"{key.value!r} first given", first[k], f"duplicate key {key.value!r}: each key once",
                            key.start_mark)
                    if k is not None:
                        first[k] = key.start_mark
                    todo += [value, key]
            elif isinstance(node, yaml.SequenceNode):
                todo += node.value[::-1]
        return loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def strict_yaml(text: str) -> Any:
    """Parse YAML with the strict loader.

    Examples
    --------
    >>> strict_yaml("a: 'no'")
    {'a': 'no'}
    >>> strict_yaml("a: no")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: 'no' would be read as a boolean; write true/false, or quote it as a string
    ...
    >>> strict_yaml("a: 1\\na: 2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: 'a' first given
    ...
    """
    return _checked_tree(_StrictLoader(text))


def safe_yaml(text: str) -> Any:
    """Parse YAML with the safe loader, in C where PyYAML has libyaml (the package's own data files and
    codebooks: several times faster than the pure-Python loader, same result).

    Examples
    --------
    >>> safe_yaml("a: [1, x]")
    {'a': [1, 'x']}
    """
    return _checked_tree(getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text))


def read_yaml_mapping(path: str | Path, error: type[Exception], what: str,
                      parse: Callable[[str], Any] = safe_yaml) -> dict[str, Any]:
    """Parse ``path`` with ``parse``; raise ``error`` naming the file unless it holds a mapping."""
    name = relative(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise error(f"{name}: {size:,} bytes; a {what} file is at most {MAX_BYTES:,} bytes")
        data = parse(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{name}: {what} file not found") from None
    except yaml.YAMLError as exc:
        raise error(f"{name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{name}: expected a mapping at the top level, found {type(data).__name__}")
    return data


def read_yaml_model(path: str | Path, model: type[M], error: type[Exception], what: str,
                    parse: Callable[[str], Any] = safe_yaml) -> M:
    """Parse ``path`` with ``parse`` and validate it as ``model``; raise ``error`` naming file and keys."""
    return validate_model(read_yaml_mapping(path, error, what, parse), model, error, relative(path), what)


def validate_model(data: dict[str, Any], model: type[M], error: type[Exception], name: str, what: str) -> M:
    """``data`` as ``model``; ``error`` naming ``name`` and every key that does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [f"{name}: the {what} do not fit the schema:"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            found = repr(err.get("input"))
            found = found if len(found) <= 80 else found[:77] + "..."
            lines.append(f"  {loc}: {err['msg']} (found {found})")
        raise error("\n".join(lines)) from None
