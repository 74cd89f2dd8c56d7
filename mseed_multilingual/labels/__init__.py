"""People's labels of the user's own answers: the sample to label, the files labels live in,
their import and export, and agreement between annotators (docs/judge.md, "Checking a judge on
your own answers")."""
