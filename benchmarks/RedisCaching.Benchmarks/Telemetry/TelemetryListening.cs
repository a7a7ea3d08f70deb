using System;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace RedisCaching.Benchmarks.Telemetry;

/// <summary>
/// The OpenTelemetry providers of one <see cref="TelemetryOverheadBenchmarks"/> job, chosen by
/// <see cref="Variable"/> (set per job by <see cref="TelemetryOverheadConfig"/>): what an app that exports the
/// cache's telemetry has running, minus the network (the exporters drop every batch).
/// </summary>
internal sealed class TelemetryListening : IDisposable
{
    public const string Variable = "REDISCACHING_BENCH_TELEMETRY";

    public const string None = "none";
    public const string Metrics = "metrics";
    public const string MetricsAndTraces = "metrics+traces";

    /// <summary>Metrics and a tracer whose sampler drops every span (<see cref="AlwaysOffSampler"/>): what sampling saves.</summary>
    public const string MetricsAndDroppedTraces = "metrics+traces-dropped";

    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _tracer;

    private TelemetryListening(MeterProvider? meters, TracerProvider? tracer)
    {
        _meters = meters;
        _tracer = tracer;
    }

    public static TelemetryListening? FromEnvironment() => Create(Environment.GetEnvironmentVariable(Variable) ?? None);

    /// <summary>The providers of <paramref name="mode"/> (<see cref="None"/>: null), built as an app builds them.</summary>
    public static TelemetryListening? Create(string mode)
    {
        if (mode == None)
        {
            return null;
        }

        if (mode is not (Metrics or MetricsAndTraces or MetricsAndDroppedTraces))
        {
            throw new InvalidOperationException($"{Variable}='{mode}': expected {None}, {Metrics}, {MetricsAndTraces} or {MetricsAndDroppedTraces}.");
        }

        // A periodic reader as an OTLP or console exporter uses, collecting every second (observable instruments are
        // read then, on the reader's thread) into an exporter that drops the batch.
        MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .AddRedisCachingInstrumentation()
            .AddReader(new PeriodicExportingMetricReader(new DroppingExporter<Metric>(), exportIntervalMilliseconds: 1000))
            .Build();

        // The batch processor every real exporter sits behind; the default sampler records every root span.
        TracerProvider? tracer = mode switch
        {
            MetricsAndTraces => Traces().Build(),
            MetricsAndDroppedTraces => Traces().SetSampler(new AlwaysOffSampler()).Build(),
            _ => null,
        };
        return new TelemetryListening(meters, tracer);
    }

    private static TracerProviderBuilder Traces() => Sdk.CreateTracerProviderBuilder()
        .AddRedisCachingInstrumentation()
        .AddProcessor(new BatchActivityExportProcessor(new DroppingExporter<Activity>()));

    public void Dispose()
    {
        _tracer?.Dispose();
        _meters?.Dispose();
    }

    /// <summary>An exporter that does nothing with what it is given.</summary>
    private sealed class DroppingExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
