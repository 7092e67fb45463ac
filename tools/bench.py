"""Print gps_ssl's benchmark tables (see nbs/90_benchmarks.ipynb); `--help` for the options."""
from gps_ssl.bench import main

if __name__ == '__main__': main()
