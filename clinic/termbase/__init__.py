"""The termbase: concepts in many languages, searched from any of them."""
