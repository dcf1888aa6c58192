from unittest.mock import patch

import numpy as np
import pandas as pd

from odoo.addons.crm_relationship.analytics import bulk
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBulkCopy(TransactionCase):
    def test_frame_round_trip_through_copy(self):
        frame = pd.DataFrame(
            {
                "id": np.arange(1, 26),
                "amount": np.linspace(0.5, 12.5, 25),
                "label": ["at_risk", "champions", 'say "hi", then', "lost", "loyal"] * 5,
            }
        )
        frame.loc[3, "amount"] = np.nan
        frame.loc[4, "label"] = None
        self.env.cr.execute("CREATE TEMP TABLE crm_bulk_probe (id int, amount numeric, label varchar)")
        # Slices of four rows: the stream renders seven slices as COPY reads them.
        with patch.object(bulk, "WRITE_SLICE", 4):
            bulk.write_frame(self.env.cr, "crm_bulk_probe", frame)
        back = bulk.read_frame(
            self.env.cr,
            "SELECT id, amount::float8 AS amount, label FROM crm_bulk_probe WHERE id > %s ORDER BY id",
            [0],
            {"id": "int64", "amount": "float64", "label": "object"},
        )
        # pandas reads an empty cell of a text column as NaN, its own missing value
        expected = frame.copy()
        expected.loc[4, "label"] = np.nan
        pd.testing.assert_frame_equal(back, expected)
        self.env.cr.execute("SELECT count(*) FROM crm_bulk_probe WHERE amount IS NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 1)
        self.env.cr.execute("SELECT count(*) FROM crm_bulk_probe WHERE label IS NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 1)

    def test_id_ranges_cover_every_id_once(self):
        parts = [(5, "first"), (9, "second")]
        self.assertEqual(
            list(bulk.id_ranges(parts, after=2)),
            [(2, 5, "first"), (5, 9, "second"), (9, bulk.ID_MAX, None)],
        )
        # Nothing to write: the one range covers every id.
        self.assertEqual(list(bulk.id_ranges([])), [(0, bulk.ID_MAX, None)])
