"""The benchmarks' master key: a proper random key (the format every process checks),
for the throw-away databases of bench/ only."""

BENCH_KEY = "c7HiNVEOK8Uny5wx2hbLIqn2ZqnMvvIsm7hers2j2Jk="
