using NUnit.Framework;

// Allocation guards read GC.GetAllocatedBytesForCurrentThread, which counts per thread, so fixtures may run in parallel.
[assembly: Parallelizable(ParallelScope.Fixtures)]
