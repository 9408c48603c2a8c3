from thoughtgen.cli import run

run()
