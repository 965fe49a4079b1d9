"""The national standard that every figure is held to.

Police forces in England and Wales are asked to answer 90% of 999 calls within 10 seconds, the
clock starting when the network operator connects the caller. No national standard exists for
101 or digital contacts, so contactsim holds each of them to the same 90% share within the
channel's own ``answer_target_s``.
"""

from __future__ import annotations

from typing import Final

#: The share of contacts to answer within the target.
TARGET_SL: Final = 0.9
#: The 999 answer target, seconds: the default ``answer_target_s`` of a channel.
TARGET_S: Final = 10.0
