"""The clock: seconds, hours, days and weeks, and the hour of the week.

The engine counts time in seconds from simulated time 0, which is 00:00 on the scenario's start
day. Demand profiles, rosters and the hourly tables all speak of the hour of the week, 0 being
Monday 00:00-01:00 whatever weekday the run starts on. Every module takes these from here, so a
day is 86,400 seconds in one place only.
"""

from __future__ import annotations

from typing import Final

import numpy as np

HOUR_S: Final = 3600.0
DAY_S: Final = 86_400.0
WEEK_S: Final = 7 * DAY_S
#: Longest duration a scenario or a contact log may hold: 30 days, far above any real contact.
MAX_DURATION_S: Final = 30 * DAY_S
HOURS_PER_DAY: Final = 24
HOURS_PER_WEEK: Final = 168
MIN_PER_DAY: Final = 1440
MIN_PER_WEEK: Final = 7 * MIN_PER_DAY

#: Weekdays as a scenario file names them, Monday first.
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Weekdays as tables and plots label them.
DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hour_of_week(t: np.ndarray, start_day: int) -> np.ndarray:
    """Hour of the week (0 = Monday 00:00) of simulated times ``t`` in seconds."""
    return ((np.floor_divide(t, HOUR_S).astype(np.int64) + 24 * start_day)
            % HOURS_PER_WEEK).astype(np.int16)
