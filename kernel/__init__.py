"""The machinery every domain app shares (issue 11): running a transition, discovering app hooks, writing
spreadsheets. One copy of each mechanism, so that a new app uses it instead of writing its own."""
