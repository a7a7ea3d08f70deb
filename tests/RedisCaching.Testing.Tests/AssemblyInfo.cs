using NUnit.Framework;

// Every server and proxy is independent (own port, own folder), so fixtures run side by side. Tests inside a
// fixture stay sequential: the timing assertions (latency, timeouts) would be noisy with all of them at once
// on a 2-core machine.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]
