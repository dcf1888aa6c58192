from bisect import bisect_left, bisect_right
from datetime import timedelta

from pytz import utc

from odoo import models
from odoo.exceptions import UserError


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _rel_plan_hours_batch(self, requests):
        """Add working hours to many start moments at once.

        Same result as ``plan_hours(hours, start, compute_leaves=True)`` for each ``(start, hours)``
        request (naive UTC datetimes), but the calendar's work intervals (attendances minus public
        holidays) are read once for the whole batch and each request is answered by bisection on
        cumulated working hours.
        """
        if not requests:
            return []
        first = min(start for start, _hours in requests)
        last = max(start for start, _hours in requests)
        longest = max(hours for _start, hours in requests)
        # about 5 working days of 8 h per week, with a margin
        span = timedelta(days=int(longest / 40.0 * 7) + 14)
        for _attempt in range(8):
            intervals = self._work_intervals_batch(utc.localize(first) - timedelta(days=1), utc.localize(last + span))[
                False
            ]
            starts, stops, cumulated_before, cumulated_after = [], [], [], []
            total = 0.0
            for start, stop, _meta in intervals:
                start = start.astimezone(utc).replace(tzinfo=None)
                stop = stop.astimezone(utc).replace(tzinfo=None)
                starts.append(start)
                stops.append(stop)
                cumulated_before.append(total)
                total += (stop - start).total_seconds() / 3600.0
                cumulated_after.append(total)
            moments = []
            for start, hours in requests:
                index = bisect_right(stops, start)
                if index == len(starts):
                    break
                offset = cumulated_before[index]
                if start > starts[index]:
                    offset += (start - starts[index]).total_seconds() / 3600.0
                target = offset + hours
                found = bisect_left(cumulated_after, target - 1e-9)
                if found == len(starts):
                    break
                moments.append(
                    (starts[found] + timedelta(hours=target - cumulated_before[found])).replace(microsecond=0)
                )
            else:
                return moments
            span *= 2
        raise UserError(
            self.env._("Working hours %(calendar)s have no working time to plan a deadline.", calendar=self.name)
        )
