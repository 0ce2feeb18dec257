"""detect: the language of each document (ISO 639-1), or None when it cannot be told."""
from watchdesk.detect.language import Detection, LanguageDetector, detect_language

__all__ = ["Detection", "LanguageDetector", "detect_language"]
