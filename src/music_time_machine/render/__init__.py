"""Output, one module per family of results: each holds the terminal view and the JSON shape of its result types.

`console` is the streams (data to stdout; messages, waits and progress to stderr), `tables` draws tables,
`streaming` writes CSV and JSON arrays row by row. HTML pages render the same result objects beside them.
"""
