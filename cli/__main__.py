from advkit.cli.main import main

main()
