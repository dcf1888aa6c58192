from odoo import fields, models


class CrmRelationshipWeekday(models.Model):
    """Days of the week a customer accepts to be contacted (data records, Monday to Sunday)."""

    _name = "crm.relationship.weekday"
    _description = "Contact Weekday"
    _order = "sequence"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(required=True, help="0 is Monday, as in Python's weekday().")

    _sequence_unique = models.UniqueIndex("(sequence)", "Each weekday exists once.")
