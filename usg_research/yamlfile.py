"""Read a YAML file into a pydantic model, with errors that name the file and every bad key.

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

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .paths import relative

M = TypeVar("M", bound=BaseModel)


def read_yaml_model(path: str | Path, model: type[M], error: type[Exception], what: str,
                    parse: Callable[[str], Any] = yaml.safe_load) -> M:
    """Parse ``path`` with ``parse`` and validate it as ``model``; raise ``error`` naming file and keys."""
    name = relative(path)
    try:
        data = parse(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{name}: {what} file not found") from None
    except yaml.YAMLError as exc:
        raise error(f"{name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{name}: expected a mapping at the top level, found {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [f"{name}: the {what} do not fit the schema:"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {loc}: {err['msg']} (found {err.get('input')!r})")
        raise error("\n".join(lines)) from None
