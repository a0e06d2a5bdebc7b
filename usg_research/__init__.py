"""usg-research: reproducible Urban Safety Governance Assessment reports.

Data flow: ``load`` -> ``validate`` -> ``clean`` -> ``survey``/``indicators``
-> figures and tables -> ``build``. See the README and ``ARCHITECTURE.md``.
"""

__version__ = "0.1.0"
