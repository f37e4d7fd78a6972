"""best_ns, the timing both Pythons' codec benchmarks use (bench_pickle.py
under Python 2.7, bench_serpent.py under Python 3)."""
import timeit


def best_ns(fn):
    """Nanoseconds per call of fn: the best of 5 timeit repeats of about 0.2 s."""
    timer = timeit.Timer(fn)
    number = 1
    while timer.timeit(number) < 0.2:
        number *= 2
    return min(timer.repeat(5, number)) / number * 1e9
