using NUnit.Framework;

// Each fixture starts its own server and every test uses its own key prefix, so fixtures run side by side.
[assembly: Parallelizable(ParallelScope.Fixtures)]
