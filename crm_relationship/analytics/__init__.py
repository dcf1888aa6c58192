"""Relationship analytics on plain numpy/pandas data, independent of the ORM.

``bgnbd`` and ``gamma_gamma`` fit the standard probabilistic models of non-contractual
buying by maximum likelihood (scipy), ``rfm`` scores and segments customers, ``scoring``
derives the relationship figures from them. ``store`` and ``bulk`` move those figures
between PostgreSQL and pandas on a plain cursor.
"""

from . import bgnbd
from . import churn
from . import clv
from . import gamma_gamma
from . import rfm
from . import scoring
from . import validation
from . import store
from . import summary
