"""usg-research: reproducible Urban Safety Governance Assessment reports.

The sub-packages follow the data flow: ``ingest`` (load, validate, clean) and ``sources`` (a city's
exports, a public survey, the synthetic pilots) give clean tables; ``estimate`` turns them into
design-based estimates; ``present`` into captioned figures and tables; ``run`` executes the report
notebooks and renders them; ``newcity`` sets a new city up. See the README.
"""

__version__ = "0.1.0"
