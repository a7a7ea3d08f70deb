using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RedisCaching.Benchmarks.Telemetry;

/// <summary>
/// <see cref="NoisyBoxConfig"/>'s job three times, one per listening mode, the not-listening one as the baseline: the
/// listeners are process-wide (the cache's Meter and ActivitySource are static), so each mode needs a process of its
/// own, and jobs are how BenchmarkDotNet runs one benchmark in several processes and still gives ratios.
/// </summary>
public sealed class TelemetryOverheadConfig : ManualConfig
{
    public TelemetryOverheadConfig()
    {
        Job noisyBox = NoisyBoxConfig.Create().GetJobs().Single();
        AddJob(Mode(noisyBox, "NotListening", TelemetryListening.None).AsBaseline());
        AddJob(Mode(noisyBox, "Metrics", TelemetryListening.Metrics));
        AddJob(Mode(noisyBox, "MetricsAndTraces", TelemetryListening.MetricsAndTraces));
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByMethod);

        // NoisyBoxConfig hides the Job column; the mode is shown here instead.
        AddColumn(new ListeningColumn());
    }

    private static Job Mode(Job job, string id, string mode) =>
        new Job(id, job).WithEnvironmentVariable(TelemetryListening.Variable, mode).AsDefault(false);

    private sealed class ListeningColumn : IColumn
    {
        public string Id => "Listening";

        public string ColumnName => "Listening";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Job;

        public int PriorityInCategory => 0;

        public bool IsNumeric => false;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "OpenTelemetry providers running in the benchmark's process";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => benchmarkCase.Job.Id;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
