using NUnit.Framework;

// The meter and the activity source are process-wide: fixtures filter by their own cache's name, and those that
// assert exact counts or kill their server run alone (NonParallelizable).
[assembly: Parallelizable(ParallelScope.Fixtures)]
