"""One module per command (see `music_time_machine.cli.command_names`): parse, call one service, render."""
