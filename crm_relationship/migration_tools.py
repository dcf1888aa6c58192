"""Helpers for the addons' migration scripts: rename a field and keep its data and history."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, rename_column


def rename_fields(cr, module, renames):
    """Rename fields of ``module`` in place, before the registry loads the new code.

    ``renames`` holds ``(model, old name, new name)``. The column keeps its values, its index and its
    foreign key; the ``ir.model.fields`` row and its XML ids (field and selection values) keep their
    ids, so that tracking values, defaults and exports that point at the field still find it.
    Fields already renamed are left alone, which makes a second run a no-op.
    """
    for model, old, new in renames:
        table = model.replace(".", "_")
        if column_exists(cr, table, old) and not column_exists(cr, table, new):
            rename_column(cr, table, old, new)
            cr.execute(
                SQL(
                    "ALTER INDEX IF EXISTS %s RENAME TO %s",
                    SQL.identifier(f"{table}__{old}_index"),
                    SQL.identifier(f"{table}__{new}_index"),
                )
            )
            if _constraint_exists(cr, table, f"{table}_{old}_fkey"):
                cr.execute(
                    SQL(
                        "ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
                        SQL.identifier(table),
                        SQL.identifier(f"{table}_{old}_fkey"),
                        SQL.identifier(f"{table}_{new}_fkey"),
                    )
                )
        cr.execute("UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s", [new, model, old])
        cr.execute(
            "UPDATE ir_model_data SET name = %s WHERE module = %s AND model = 'ir.model.fields' AND name = %s",
            [f"field_{table}__{new}", module, f"field_{table}__{old}"],
        )
        cr.execute(
            """UPDATE ir_model_data SET name = %s || substr(name, length(%s) + 1)
                WHERE module = %s AND model = 'ir.model.fields.selection' AND starts_with(name, %s)""",
            [f"selection__{table}__{new}__", f"selection__{table}__{old}__", module, f"selection__{table}__{old}__"],
        )
        rename_in_views(cr, model, old, new)
        # Saved filters and favourites of users name fields in their domain, context and sort.
        cr.execute(
            r"""UPDATE ir_filters SET domain = regexp_replace(domain, %(pattern)s, %(new)s, 'g'),
                                      context = regexp_replace(context, %(pattern)s, %(new)s, 'g'),
                                      sort = regexp_replace(sort, %(pattern)s, %(new)s, 'g')
                 WHERE model_id = %(model)s
                   AND (domain ~ %(pattern)s OR context ~ %(pattern)s OR sort ~ %(pattern)s)""",
            {"pattern": rf"(?<![\w.]){old}\M", "new": new, "model": model},
        )


def rename_in_views(cr, model, old, new):
    """Replace a renamed field or method in the stored views of ``model``, inherited ones included.

    The views of the addons are reloaded by the upgrade, but one after the other: until its own file is
    loaded, a stored view still naming the old field would fail the validation of the views loaded before.
    """
    cr.execute(
        """UPDATE ir_ui_view SET arch_db = regexp_replace(arch_db::text, %(pattern)s, %(new)s, 'g')::jsonb
            WHERE arch_db::text ~ %(pattern)s
              AND model = %(model)s""",
        {"pattern": rf"(?<![\w.]){old}\M", "new": new, "model": model},
    )


def _constraint_exists(cr, table, name):
    cr.execute(
        "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
        [name, table],
    )
    return bool(cr.rowcount)
