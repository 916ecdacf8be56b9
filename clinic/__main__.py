from clinic.cli import main

main()
