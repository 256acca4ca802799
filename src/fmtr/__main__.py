from fmtr.cli import main

main()
