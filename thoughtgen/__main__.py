from thoughtgen.cli import main

main()
