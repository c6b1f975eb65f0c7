"""Agent kinds: each keeps its state as columns (ArrayState) and a thin Mesa agent viewing one row."""

from agents.cloud import CloudProvider
from agents.firm import Firm
from agents.platform import Platform
from agents.talent import Talent

__all__ = ["Firm", "Platform", "CloudProvider", "Talent"]
