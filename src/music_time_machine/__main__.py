from music_time_machine.cli import main

main()
