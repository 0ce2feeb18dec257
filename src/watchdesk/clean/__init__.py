"""Clean stage: flattened page text -> :class:`watchdesk.types.CleanDocument`."""
from .cleaner import clean_text
from .repair import repair_text

__all__ = ["clean_text", "repair_text"]
