"""Area boundaries for maps: polygons read from a GeoJSON file, checked, keyed by area id.

Maps are drawn offline from the city's own boundary file (``boundaries:`` of a report; no tile server).
GeoJSON in WGS84 longitude/latitude, one feature per area, the area id in a property.

Examples
--------
>>> import json, tempfile, pathlib
>>> square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
>>> doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "A"},
...                                                   "geometry": square}]}
>>> p = pathlib.Path(tempfile.mkdtemp()) / "b.geojson"
>>> _ = p.write_text(json.dumps(doc))
>>> shapes = read_boundaries(p, "id")
>>> shapes.index.tolist(), shapes["A"].area
(['A'], 1.0)
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import shape

from ..errors import LoadError
from ..paths import relative

#: The largest boundary file read (a city's sub-areas are a few MB at most).
MAX_BYTES = 50 * 2**20


def read_boundaries(path: str | Path, id_field: str) -> pd.Series:
    """Each area's polygon (a shapely geometry), indexed by the ``id_field`` property, in file order.

    Raises
    ------
    LoadError
        Naming the file and the feature: not GeoJSON, over 50 MB, a feature without the id or with an id
        given twice, a geometry that is not a valid polygon.
    """
    path = Path(path)
    name = relative(path)
    if not path.is_file():
        raise LoadError(name, "file not found")
    if path.stat().st_size > MAX_BYTES:
        raise LoadError(name, f"is over {MAX_BYTES // 2**20} MB; a boundary file of sub-areas is far smaller")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        features = doc["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LoadError(name, f"is not a GeoJSON FeatureCollection ({exc})") from None
    shapes: dict[str, object] = {}
    for i, f in enumerate(features, start=1):
        key = (f.get("properties") or {}).get(id_field)
        if key is None:
            raise LoadError(name, f"feature {i} has no {id_field!r} property")
        key = str(key)
        if key in shapes:
            raise LoadError(name, f"feature {i}: {id_field} {key!r} is given twice")
        try:
            geom = shape(f["geometry"])
        except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            raise LoadError(name, f"feature {i} ({key!r}): not a geometry ({exc})") from None
        if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid:
            raise LoadError(name, f"feature {i} ({key!r}): not a valid polygon ({shapely.is_valid_reason(geom)})")
        shapes[key] = geom
    return pd.Series(shapes, dtype=object, name="geometry")


__all__ = ["read_boundaries"]
