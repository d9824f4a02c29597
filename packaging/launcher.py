from kinxpro_desktop.__main__ import main

main()
