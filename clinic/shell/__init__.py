"""The interpreter's shell: search the termbase as you type (`clinic shell`).

The pure parts live in plain modules that need no terminal: `width` (display width and
truncation), `commands` (parsing what is typed after ':'), `view` (results, cards and
help as lines of (text, style) pieces), `history`, `drill` (the spaced-repetition
schedule) and `drafts` (terms improvised in the booth). `worker` runs every termbase
call on one thread, so typing never waits for a search; `app` is the prompt_toolkit
Application that ties them together.
"""
