"""What every package stands on, importing nothing of the project: the error hierarchy
(`errors`), the one reader for JSON from outside (`untrusted_json`) and the one way user text
is shown (`escapes`)."""
