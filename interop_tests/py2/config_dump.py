# Prints the configuration real Pyro 3.16 uses after "import Pyro" (which
# reads PYRO_CONFIG_FILE or ./Pyro.conf and the environment), in the format
# of `python -m Pyro.configuration`, without its header and checks.
import Pyro

print "Active configuration settings:"
for name, value in sorted(vars(Pyro.config).items()):
    if not name.startswith("_"):
        print name + "=" + str(value)
